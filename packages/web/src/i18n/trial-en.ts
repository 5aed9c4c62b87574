/** The virtual-trial page (its own file, one owner). */
export const trialEn = {
  tr_title: 'Virtual trial',
  tr_intro:
    'Probability of target attainment of candidate regimens over a virtual population of the drug file, with the model’s variability. Computed in your browser, with the same seeds as the dosetwin trial command.',
  tr_model: 'Model',
  tr_regimens: 'Regimens (one per line)',
  tr_target: 'Target',
  tr_mics: 'MICs for the PTA curve (mg/L, comma-separated)',
  tr_mic: 'MIC of the main PTA (mg/L)',
  tr_days: 'Days',
  tr_patients: 'Virtual patients',
  tr_seed: 'Seed',
  tr_run: 'Run the trial',
  tr_running: 'Chunk {done} of {total}…',
  tr_byDay: 'PTA of all targets by day (± Monte Carlo SE)',
  tr_arm: 'Regimen',
  tr_day: 'Day {day}',
  tr_curve: 'PTA versus MIC on day {day}',
  tr_curveX: 'MIC (mg/L)',
  tr_curveY: 'PTA',
  tr_noCurve: 'The PTA curve needs a MIC-based target (e.g. fauc_mic>=400).',
  tr_summary: '{n} virtual patients, {model}, seed {seed}.',
};
