/**
 * The code systems and tables the FHIR import reads: LOINC codes of the covariates dosetwin takes
 * from a record (each naming the covariate register's entry it fills), UCUM unit codes as
 * dosetwin spells them, SNOMED CT routes, and the HL7 Genomics Reporting genotype codes. A drug's
 * own codes (its levels' LOINC codes, its ATC and RxNorm codes) are in its drug file (`fhir`).
 *
 * Every table is closed: a code that is not here is refused by the import with its reason, never
 * read by its display text.
 */

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const SNOMED = 'http://snomed.info/sct';
export const ATC = 'http://www.whocc.no/atc';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const HGNC = 'http://www.genenames.org/geneId';

/** A covariate read from an Observation's LOINC code: the register's name and what the code measures. */
export interface CovariateCode {
  loinc: string;
  name: string;
  display: string;
}

/**
 * Covariates by LOINC code. Serum creatinine has a mass and a molar code (the unit must match the
 * code's property, checked by the register's conversion); body weight and height their measured
 * variants; haematocrit its automated-count and generic codes.
 */
export const COVARIATE_CODES: readonly CovariateCode[] = [
  { loinc: '2160-0', name: 'SCR', display: 'Creatinine [Mass/volume] in Serum or Plasma' },
  { loinc: '14682-9', name: 'SCR', display: 'Creatinine [Moles/volume] in Serum or Plasma' },
  { loinc: '29463-7', name: 'WT', display: 'Body weight' },
  { loinc: '3141-9', name: 'WT', display: 'Body weight Measured' },
  { loinc: '8302-2', name: 'HT', display: 'Body height' },
  { loinc: '8306-3', name: 'HT', display: 'Body height --lying' },
  { loinc: '4544-3', name: 'HCT', display: 'Hematocrit [Volume Fraction] of Blood by Automated count' },
  { loinc: '20570-8', name: 'HCT', display: 'Hematocrit [Volume Fraction] of Blood' },
  { loinc: '1751-7', name: 'ALB', display: 'Albumin [Mass/volume] in Serum or Plasma' },
  { loinc: '33863-2', name: 'CYSC', display: 'Cystatin C [Mass/volume] in Serum or Plasma' },
];

/** HL7 Genomics Reporting: the genotype Observation's code and its gene-studied component. */
export const GENOTYPE_LOINC = '84413-4';
export const GENE_STUDIED_LOINC = '48018-6';

/**
 * Genes whose genotype is a covariate, by HGNC id: the register's name and, for each star allele,
 * whether it is functional (CYP3A5: *1 functional; *3, *6, *7 not, per CPIC's tacrolimus
 * guideline 2015). An allele not listed is refused, not guessed.
 */
export const GENOTYPE_GENES: Readonly<
  Record<string, { symbol: string; name: string; functional: Record<string, boolean> }>
> = {
  'HGNC:2638': {
    symbol: 'CYP3A5',
    name: 'CYP3A5',
    functional: { '*1': true, '*3': false, '*6': false, '*7': false },
  },
};

/** UCUM unit codes as dosetwin's units spell them (engine table and covariate register). */
export const UCUM_UNITS: Readonly<Record<string, string>> = {
  kg: 'kg',
  g: 'g',
  mg: 'mg',
  ug: 'ug',
  ng: 'ng',
  '[lb_av]': 'lb',
  cm: 'cm',
  m: 'm',
  mm: 'mm',
  '[in_i]': 'in',
  a: 'y',
  mo: 'mo',
  wk: 'wk',
  d: 'd',
  h: 'h',
  min: 'min',
  s: 's',
  mL: 'mL',
  L: 'L',
  'umol/L': 'umol/L',
  'mg/dL': 'mg/dL',
  'mg/L': 'mg/L',
  'g/L': 'g/L',
  'g/dL': 'g/dL',
  'ug/mL': 'ug/mL',
  'ug/L': 'ug/L',
  'ng/mL': 'ng/mL',
  'ng/L': 'ng/L',
  'mg/mL': 'mg/mL',
  '%': '%',
  'L/L': 'L/L',
  'mg/h': 'mg/h',
  'mg/min': 'mg/min',
  'g/h': 'g/h',
  'mL/h': 'mL/h',
  'mL/min': 'mL/min',
};

/** Routes by SNOMED CT code. An intravenous dose is an infusion when it has a period or a rate. */
export const ROUTES: Readonly<Record<string, 'oral' | 'intravenous'>> = {
  '26643006': 'oral',
  '47625008': 'intravenous',
};

/** Sample matrices by SNOMED CT specimen type. */
export const SPECIMEN_TYPES: Readonly<Record<string, string>> = {
  '119364003': 'serum',
  '119361006': 'plasma',
  '258580003': 'whole blood',
};
