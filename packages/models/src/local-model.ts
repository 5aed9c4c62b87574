/**
 * A local version of a library model: the published model adapted to the hospital's own TDM data
 * (the engine's `updateModel`: FOCE-I with the published estimates as the prior), or a model
 * fitted elsewhere and uploaded, with the evidence a pharmacologist reads before approving it:
 * the parameters published and local, the predictive check (each next level of held-out patients
 * forecast by the published and the local model), the bias audit of both on those patients, and
 * the diagnostics of the local model (goodness of fit, VPC, pcVPC, individual fits).
 *
 * The patients are split at random (seeded) into a half the model is fitted on and a half it is
 * judged on, so the predictive check is never on the patients the fit has seen. An uploaded model
 * was fitted on none of the service's patients: all of them judge it.
 */
import {
  compileModel,
  createRng,
  DosetwinError,
  fitFocei,
  goodnessOfFit,
  individualFits,
  type IndividualFit,
  type Issue,
  type ModelIR,
  modelParameters,
  type ObservationDiagnostic,
  parseModel,
  type PatientData,
  updateModel,
  vpc,
  type VpcBin,
} from '@dosetwin/engine';
import { type AuditPatient, biasAudit, type GroupStats } from './bias-audit.ts';
import { type ClinicalRecord, clinicalPatient, modelPatient } from './patient.ts';
import { predictiveCheck, type PredictiveCheck } from './predictive-check.ts';
import { getModel, type LibraryModel, shortCitation } from './registry.ts';

/** A patient of the service: the record as stored and its grouping columns (`SEX`, `WARD`). */
export interface LocalPatientRecord extends ClinicalRecord {
  attributes: Readonly<Record<string, string>>;
}

export interface LocalModelRequest {
  /** The library model adapted. */
  modelId: string;
  records: readonly LocalPatientRecord[];
  /** The day of the proposal (YYYY-MM-DD; the library has no clock). */
  date: string;
  /** The version string the local model carries (`<published>+local.<n>`). */
  version: string;
  /** θ estimated (the others keep their published value); default: every θ. */
  estimate?: readonly string[];
  /** A model fitted elsewhere (`.dtm` text) of the same structure: judged, not fitted. */
  uploaded?: string;
  /** Seed of the split and the VPC's replicates (default 1). */
  seed?: number;
  /** VPC replicates (default 100). */
  replicates?: number;
}

/** One parameter published and local. */
export interface ParameterChange {
  name: string;
  /** θ, ω² (`omega(eta_CL)`) or residual SD (`CP.add`). */
  kind: 'theta' | 'omega' | 'sigma';
  unit: string;
  published: number;
  local: number;
  estimated: boolean;
}

/** An observation's diagnostics, JSON-safe (null where the engine has NaN: censored, failed). */
export interface GofPoint {
  id: string;
  time: number;
  dv: number;
  pred: number | null;
  ipred: number | null;
  cwres: number | null;
  censored: boolean;
}

/** The bias audit rows of one model (the forecasts themselves are not kept). */
export interface AuditRows {
  overall: GroupStats;
  groups: GroupStats[];
}

export interface LocalModelEvidence {
  published: { id: string; version: string; citation: string };
  method: 'focei-prior' | 'uploaded';
  date: string;
  patients: {
    /** Patients whose records the model could read. */
    local: number;
    fitted: number;
    heldOut: number;
    /** Patients left out, with why (a covariate missing, no level…). */
    excluded: { patientId: string; reason: string }[];
  };
  fit: { ofv: number; converged: boolean; iterations: number; shrinkage: Record<string, number> };
  parameters: ParameterChange[];
  predictiveCheck: PredictiveCheck;
  biasAudit: { published: AuditRows; local: AuditRows };
  /** The local model on the patients it was fitted on (all of them for an uploaded one). */
  gof: GofPoint[];
  vpc: VpcBin[];
  pcvpc: VpcBin[];
  individual: IndividualFit[];
  units: { time: string; conc: string };
}

export interface LocalModelProposal {
  ir: ModelIR;
  evidence: LocalModelEvidence;
}

const fail = (field: string, message: string, fr: string): never => {
  throw new DosetwinError([
    { code: 'DT_LOCAL_MODEL_DATA', severity: 'error', field, message, fr: { message: fr } },
  ]);
};

/** The library model with a local version's IR: the same drug policy, products and id. */
export function localLibraryModel(published: LibraryModel, ir: ModelIR): LibraryModel {
  let compiled: ReturnType<LibraryModel['compiled']> | null = null;
  return { ...published, ir, compiled: () => (compiled ??= compileModel(ir)) };
}

/** An uploaded model file, checked to be a version of the published one (same parameters, etas, outputs). */
function uploadedIr(published: ModelIR, text: string): ModelIR {
  const ir = parseModel(text, 'uploaded.dtm');
  const names = (xs: readonly { name: string }[]): string => xs.map((x) => x.name).join(',');
  if (ir.id !== published.id)
    fail(
      'uploaded',
      `the uploaded model is '${ir.id}', not '${published.id}'`,
      `le modèle téléversé est « ${ir.id} », pas « ${published.id} »`,
    );
  for (const [what, a, b] of [
    ['parameters', names(ir.parameters), names(published.parameters)],
    ['random effects', names(ir.etas), names(published.etas)],
    ['covariates', names(ir.covariates), names(published.covariates)],
  ] as const)
    if (a !== b)
      fail(
        'uploaded',
        `the uploaded model's ${what} (${a}) differ from ${published.id}'s (${b})`,
        `les ${what === 'parameters' ? 'paramètres' : what === 'random effects' ? 'effets aléatoires' : 'covariables'} du modèle téléversé (${a}) diffèrent de ceux de ${published.id} (${b})`,
      );
  return ir;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function gofPoints(d: readonly ObservationDiagnostic[]): GofPoint[] {
  return d.map((o) => ({
    id: o.id,
    time: o.time,
    dv: o.dv,
    pred: finite(o.pred),
    ipred: finite(o.ipred),
    cwres: finite(o.cwres),
    censored: o.censored,
  }));
}

/** Seeded Fisher–Yates order of 0..n-1. */
function shuffled(n: number, seed: number): number[] {
  const rng = createRng(seed);
  const k = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [k[i], k[j]] = [k[j], k[i]];
  }
  return k;
}

/** A service's patient as a model reads it: its data (id = pseudonym) and its grouping columns. */
export interface LocalPatient {
  data: PatientData;
  attributes: AuditPatient['attributes'];
}

/**
 * The service's records as `lib`'s patient data (its units, covariates and products): the patients
 * with at least one level the model can use, and the others with the reason (pseudonym and reason
 * stay in the hospital: they name the patient).
 */
export function localPatients(
  lib: LibraryModel,
  records: readonly LocalPatientRecord[],
): { usable: LocalPatient[]; excluded: LocalModelEvidence['patients']['excluded'] } {
  const usable: LocalPatient[] = [];
  const excluded: LocalModelEvidence['patients']['excluded'] = [];
  for (const r of records) {
    try {
      const cp = clinicalPatient(r);
      const mp = modelPatient(lib, cp.patient);
      if (!mp.patient) {
        excluded.push({ patientId: r.patientId, reason: mp.errors.map((e) => e.message).join('; ') });
        continue;
      }
      const levels = Array.from(mp.patient.evid).filter((e, i) => e === 0 && mp.patient!.mdv[i] === 0).length;
      if (!levels) {
        excluded.push({ patientId: r.patientId, reason: 'no level the fit can use' });
        continue;
      }
      const attributes = Object.fromEntries(
        Object.entries(r.attributes).map(([k, v]) => [k, { value: v, unit: null, line: 0 }]),
      );
      usable.push({ data: { ...mp.patient, id: r.patientId }, attributes });
    } catch (e) {
      if (!(e instanceof DosetwinError)) throw e;
      excluded.push({ patientId: r.patientId, reason: e.issues.map((i: Issue) => i.message).join('; ') });
    }
  }
  return { usable, excluded };
}

/**
 * The proposal of a local version of `modelId` from the service's patients: the model (fitted
 * or uploaded) and its evidence. At least 4 usable patients are needed (2 to fit, 2 to judge).
 */
export function proposeLocalModel(req: LocalModelRequest): LocalModelProposal {
  const lib = getModel(req.modelId);
  const published = lib.ir;
  const seed = req.seed ?? 1;
  const { usable, excluded } = localPatients(lib, req.records);
  let ir: ModelIR;
  let fitted: typeof usable;
  let heldOut: typeof usable;
  let fitOf: (ir: ModelIR) => ReturnType<typeof fitFocei>;
  if (req.uploaded !== undefined) {
    if (usable.length < 2)
      fail(
        'records',
        `${usable.length} patient(s) of ${req.modelId} have levels the model can read; at least 2 are needed to judge an uploaded model`,
        `${usable.length} patient(s) de ${req.modelId} ont des concentrations lisibles par le modèle ; il en faut au moins 2 pour juger un modèle téléversé`,
      );
    ir = { ...uploadedIr(published, req.uploaded), version: req.version };
    fitted = usable;
    heldOut = usable;
    // The uploaded estimates as they are: FOCE-I's individual estimates and OFV at them, no step.
    fitOf = (m) =>
      fitFocei(
        compileModel(m),
        fitted.map((p) => p.data),
        { maxIterations: 0, covariance: false },
      );
  } else {
    if (usable.length < 4)
      fail(
        'records',
        `${usable.length} patient(s) of ${req.modelId} have levels the model can read; at least 4 are needed (half to fit, half to judge)`,
        `${usable.length} patient(s) de ${req.modelId} ont des concentrations lisibles par le modèle ; il en faut au moins 4 (la moitié pour ajuster, l’autre pour juger)`,
      );
    const order = shuffled(usable.length, seed);
    const half = Math.ceil(usable.length / 2);
    fitted = order.slice(0, half).map((k) => usable[k]);
    heldOut = order.slice(half).map((k) => usable[k]);
    const names = published.parameters.map((p) => p.name);
    const unknown = (req.estimate ?? []).filter((n) => !names.includes(n));
    if (unknown.length)
      fail(
        'estimate',
        `${unknown.join(', ')} ${unknown.length > 1 ? 'are not parameters' : 'is not a parameter'} of ${req.modelId} (its parameters: ${names.join(', ')})`,
        `${unknown.join(', ')} n’${unknown.length > 1 ? 'en sont pas' : 'en est pas'} un paramètre de ${req.modelId} (ses paramètres : ${names.join(', ')})`,
      );
    const fixed = req.estimate ? names.filter((n) => !req.estimate!.includes(n)) : [];
    const up = updateModel(
      lib.compiled(),
      fitted.map((p) => p.data),
      { date: req.date, fixed, covariance: false },
    );
    ir = { ...up.ir, version: req.version };
    fitOf = () => up.fit;
  }
  const fit = fitOf(ir);
  const local = compileModel(ir);
  const pub = lib.compiled();
  const check = predictiveCheck(pub, local, heldOut);
  const rows = (m: typeof local): AuditRows => {
    const a = biasAudit(m, heldOut, { seed });
    return { overall: a.overall, groups: a.groups };
  };
  const p0 = modelParameters(published);
  const p1 = fit.parameters;
  const estimated = new Set(fit.estimated);
  const nEta = published.etas.length;
  const parameters: ParameterChange[] = [
    ...published.parameters.map((p, k) => ({
      name: p.name,
      kind: 'theta' as const,
      unit: p.unit,
      published: p0.theta[k],
      local: p1.theta[k],
      estimated: estimated.has(p.name),
    })),
    ...published.etas.map((e, i) => ({
      name: `omega(${e.name})`,
      kind: 'omega' as const,
      unit: '',
      published: p0.omega[i * nEta + i],
      local: p1.omega[i * nEta + i],
      estimated: estimated.has(`omega(${e.name})`),
    })),
    ...Object.entries(fit.sigma).map(([name, v]) => {
      const k = published.errors.findIndex((e) => name.startsWith(`${e.output}.`));
      const prop = name.endsWith('.prop') || name.endsWith('.exp');
      return {
        name,
        kind: 'sigma' as const,
        unit: prop ? '' : published.units.conc,
        published: k < 0 ? NaN : prop ? p0.propSd[k] : p0.addSd[k],
        local: v,
        estimated: estimated.has(name),
      };
    }),
  ];
  const data = fitted.map((p) => p.data);
  const etas = fit.individuals.map((i) => i.eta);
  const replicates = req.replicates ?? 100;
  const bins = Math.max(2, Math.min(8, Math.floor(data.length / 2)));
  return {
    ir,
    evidence: {
      published: {
        id: published.id,
        version: published.version,
        citation: published.citation?.text ?? shortCitation(published),
      },
      method: req.uploaded !== undefined ? 'uploaded' : 'focei-prior',
      date: req.date,
      patients: { local: usable.length, fitted: fitted.length, heldOut: heldOut.length, excluded },
      fit: { ofv: fit.ofv, converged: fit.converged, iterations: fit.iterations, shrinkage: fit.shrinkage },
      parameters,
      predictiveCheck: check,
      biasAudit: { published: rows(pub), local: rows(local) },
      gof: gofPoints(goodnessOfFit(local, data, p1, etas)),
      vpc: vpc(local, data, p1, { replicates, seed, bins }),
      pcvpc: vpc(local, data, p1, { replicates, seed, bins, predictionCorrected: true }),
      individual: individualFits(local, data, p1, etas),
      units: { time: published.units.time, conc: published.units.conc },
    },
  };
}
