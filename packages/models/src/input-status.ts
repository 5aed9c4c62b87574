/**
 * What a patient's record still lacks for a model, or for every model of a drug: each input a
 * user enters for the model ({@link patientInputs}) is recorded, covered (every model covariate it
 * feeds is itself recorded, e.g. a measured CRCL makes SCR, AGE and SEX unnecessary for it),
 * optional (the model has a default for what it feeds) or missing. The request form shows this
 * beside the covariate form, so a prescriber sees before asking what the analysis will refuse.
 */
import type { PatientInput } from './covariate-register.ts';

/** What the status needs of an input: {@link PatientInput} as the service lists it for a model. */
export type InputNeed = Pick<PatientInput, 'name' | 'required' | 'usedFor'>;

/** `recorded`: a value is in the record; `covered`: not needed, what it feeds is recorded; `optional`: the model has a default; `missing`. */
export type InputState = 'recorded' | 'covered' | 'optional' | 'missing';

export interface InputStatus extends InputNeed {
  state: InputState;
}

/** The state of each of a model's inputs given the names recorded for the patient (any time). */
export function inputStatus(
  needs: readonly InputNeed[],
  recorded: readonly { name: string }[],
): InputStatus[] {
  const have = new Set(recorded.map((r) => r.name));
  return needs.map((n) => ({
    ...n,
    usedFor: [...n.usedFor],
    state: have.has(n.name)
      ? 'recorded'
      : n.usedFor.every((u) => have.has(u))
        ? 'covered'
        : n.required
          ? 'missing'
          : 'optional',
  }));
}

/** One input over a drug's models: its overall state and, per model needing it, that model's state. */
export interface DrugInputStatus {
  name: string;
  /** `missing` if missing for any model, else `optional` if optional for any, else `covered` if covered for any, else `recorded`. */
  state: InputState;
  models: { id: string; state: InputState }[];
}

const RANK: Record<InputState, number> = { recorded: 0, covered: 1, optional: 2, missing: 3 };

/**
 * The inputs of every model of a drug, each once (in the order the models first list them), with
 * the models that need it: a model whose input is missing is left out of the drug's averaging.
 */
export function drugInputStatus(
  models: readonly { id: string; inputs: readonly InputNeed[] }[],
  recorded: readonly { name: string }[],
): DrugInputStatus[] {
  const out = new Map<string, DrugInputStatus>();
  for (const m of models)
    for (const s of inputStatus(m.inputs, recorded)) {
      const row = out.get(s.name) ?? { name: s.name, state: s.state, models: [] };
      row.models.push({ id: m.id, state: s.state });
      if (RANK[s.state] > RANK[row.state]) row.state = s.state;
      out.set(s.name, row);
    }
  return [...out.values()];
}
