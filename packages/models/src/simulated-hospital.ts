/**
 * A simulated hospital's TDM records: vancomycin patients as a service stores them (ISO times,
 * every value with its unit), their levels simulated from a library model whose typical clearance
 * is multiplied by `clearanceFactor` — a hospital whose patients differ from the published
 * population. Tests, the demonstration data and the bench use it; nothing clinical reads it.
 */
import { createRng, modelParameters, simulatePopulation } from '@dosetwin/engine';
import type { LocalPatientRecord } from './local-model.ts';
import { clinicalPatient, modelPatient } from './patient.ts';
import { getModel } from './registry.ts';

export interface SimulatedHospitalOptions {
  /** A library model with TVCL, WT and CRCL (vancomycin/thomson2009: the default). */
  modelId?: string;
  patients: number;
  seed: number;
  /** Typical clearance × this (default 1). */
  clearanceFactor?: number;
  /** First dose of the first patient (default 2026-11-02T08:00Z); each next patient a day later. */
  start?: string;
  /** Wards the patients are spread over in turn (default ICU, nephrology). */
  wards?: readonly string[];
}

const H = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * `patients` records: WT 50-110 kg, age 30-80 y, serum creatinine 60-200 µmol/L, sex alternating;
 * 1000 mg q12h over 1 h (1500 mg above 90 kg), 8 doses, troughs before doses 4, 6 and 8 (35.5,
 * 59.5, 83.5 h), simulated with the model's IIV and residual error (levels below 0.5 mg/L raised
 * to it, as a lab would report its LLOQ).
 */
export function simulatedHospital(o: SimulatedHospitalOptions): LocalPatientRecord[] {
  const lib = getModel(o.modelId ?? 'vancomycin/thomson2009');
  const model = lib.compiled();
  const base = modelParameters(lib.ir);
  const theta = Float64Array.from(base.theta);
  const k = lib.ir.parameters.findIndex((p) => p.name === 'TVCL');
  theta[k] *= o.clearanceFactor ?? 1;
  const rng = createRng(o.seed);
  const wards = o.wards ?? ['ICU', 'nephrology'];
  const t00 = Date.parse(o.start ?? '2026-11-02T08:00:00Z');
  return Array.from({ length: o.patients }, (_, i) => {
    const wt = Math.round(50 + 60 * rng.uniform());
    const age = Math.round(30 + 50 * rng.uniform());
    const scr = Math.round(60 + 140 * rng.uniform());
    const sex = i % 2;
    const t0 = t00 + i * 24 * H;
    const dose = wt > 90 ? 1500 : 1000;
    const record: LocalPatientRecord = {
      patientId: `H${o.seed}-${String(i + 1).padStart(3, '0')}`,
      administrations: Array.from({ length: 8 }, (_, d) => ({
        at: iso(t0 + d * 12 * H),
        amount: dose,
        unit: 'mg',
        route: 'infusion' as const,
        duration: { value: 1, unit: 'h' },
        product: 'vancomycin',
      })),
      samples: [35.5, 59.5, 83.5].map((h) => ({
        at: iso(t0 + h * H),
        value: 1,
        unit: 'mg/L',
        matrix: 'serum',
        assay: 'immunoassay',
        lloq: null,
      })),
      covariates: [
        { at: iso(t0 - 2 * H), name: 'WT', value: wt, unit: 'kg' },
        { at: iso(t0 - 2 * H), name: 'AGE', value: age, unit: 'y' },
        { at: iso(t0 - 2 * H), name: 'SCR', value: scr, unit: 'umol/L' },
        { at: iso(t0 - 2 * H), name: 'SEX', value: sex, unit: '-' },
      ],
      attributes: { WARD: wards[i % wards.length] },
    };
    const mp = modelPatient(lib, clinicalPatient(record).patient);
    if (!mp.patient)
      throw new Error(`simulated patient ${i + 1}: ${mp.errors.map((e) => e.message).join('; ')}`);
    const sim = simulatePopulation(model, [mp.patient], o.seed * 1000 + i, { ...base, theta }).patients[0];
    const levels = Array.from(sim.dv).filter((_, r) => sim.evid[r] === 0 && sim.mdv[r] === 0);
    return {
      ...record,
      samples: record.samples.map((s, j) => ({ ...s, value: Math.max(0.5, Number(levels[j].toFixed(2))) })),
    };
  });
}
