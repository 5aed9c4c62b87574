/**
 * The covariate register: one entry per covariate name used anywhere in dosetwin — every covariate
 * of every library model and every input or result of a derivation ({@link DERIVATIONS},
 * {@link IMPLICIT}) — with its labels and description in English and French, its type, canonical
 * and accepted units, its codes, the derivations that produce it and hard plausibility limits.
 *
 * How to use this register
 * - Names are the models' names (`WT`, `SCR`, `CYP3A5`): upper case, as pharmacometricians write
 *   them. A model file uses a registered name, in one of the entry's accepted units; the register
 *   test fails otherwise (a new covariate is added here first, with its source).
 * - Units: `unit` is canonical; `units` lists what a value may be entered in, canonical first; each
 *   converts to `unit` by {@link convertCovariate} with the entry's `quantity` (serum creatinine
 *   converts between mg/dL and µmol/L by its molar mass). Binary and coded covariates have unit `-`.
 * - Codes: binary and coded covariates take only the values of `codes`, whose labels say what each
 *   value means. SEX is 0 = male, 1 = female everywhere (models and derivations alike): a data set
 *   coded otherwise must be recoded before entry.
 * - Derivations: `derivedBy` names the {@link DERIVATIONS} that compute the covariate; which one a
 *   model uses is in the model's covariates table (`derive crcl_cg(SCR mg/dL, AGE, WT, SEX)`).
 *   {@link patientInputs} lists what a user must enter for a model: its covariates that are not
 *   derived, and the inputs of the derivations it uses.
 * - Limits: `limits` are hard physiological bounds in the canonical unit, each with its rationale:
 *   a value outside them is an entry error (wrong unit, typo), not a patient outside a model's
 *   validity domain (that is the model's `valid` range, a warning). {@link plausibilityIssue}
 *   checks a value against them.
 * Forms (web) and request validation (service) read this register instead of keeping lists of
 * their own.
 */
import { DosetwinError, type Issue, type ModelIR } from '@dosetwin/engine';
import { convertCovariate, DERIVATIONS, IMPLICIT, type Quantity } from './covariates.ts';

export type CovariateType = 'quantity' | 'binary' | 'code';

/** Text in the two languages of the app. */
export interface Bilingual {
  en: string;
  fr: string;
}

/** One value of a binary or coded covariate and what it means. */
export interface CovariateCode extends Bilingual {
  value: number;
}

export interface CovariateEntry {
  name: string;
  label: Bilingual;
  description: Bilingual;
  type: CovariateType;
  /** Canonical unit (`-` for binary and coded covariates). */
  unit: string;
  /** Units a value may be given in, canonical first; each converts to `unit` by convertCovariate. */
  units: string[];
  /** What the value measures, for unit conversion (creatinine: mg/dL ↔ µmol/L). */
  quantity: Quantity;
  /** Binary and coded covariates: every allowed value and its meaning; null for quantities. */
  codes: CovariateCode[] | null;
  /** The derivations (keys of DERIVATIONS) that compute it; [] when it is only entered. */
  derivedBy: string[];
  /** Hard plausibility bounds in the canonical unit, and why; null for binary and coded covariates. */
  limits: { lo: number; hi: number; why: string } | null;
  /**
   * Soft bounds in the canonical unit, inside `limits`: a value outside them is possible but
   * unusual enough (or typical of a unit slip) that entering it needs an acknowledgement.
   */
  usual?: { lo: number; hi: number; why: string };
}

const MASS = ['kg', 'g', 'lb'];
const no = (en: string, fr: string): CovariateCode => ({ value: 0, en, fr });
const yes = (en: string, fr: string): CovariateCode => ({ value: 1, en, fr });

const entries: CovariateEntry[] = [
  // ------------------------------------------------------------------ body size and age
  {
    name: 'WT',
    label: { en: 'Body weight', fr: 'Poids' },
    description: { en: 'current total body weight', fr: 'poids corporel total actuel' },
    type: 'quantity',
    unit: 'kg',
    units: MASS,
    quantity: 'other',
    codes: null,
    derivedBy: [],
    limits: {
      lo: 0.2,
      hi: 650,
      why: 'the smallest surviving preterm neonates weigh about 0.25 kg and the heaviest recorded adults about 600 kg; the library models span 0.4 kg (germovsek2016) to 255 kg (goti2018)',
    },
    usual: {
      lo: 0.35,
      hi: 250,
      why: 'below the smallest neonates of the library’s cohorts (0.4 kg), above all but the heaviest adults; a weight in g or lb read as kg falls outside',
    },
  },
  {
    name: 'HT',
    label: { en: 'Height', fr: 'Taille' },
    description: {
      en: 'standing height, or length in infants',
      fr: 'taille debout, ou longueur couchée du nourrisson',
    },
    type: 'quantity',
    unit: 'cm',
    units: ['cm', 'm', 'mm', 'in'],
    quantity: 'other',
    codes: null,
    derivedBy: [],
    limits: {
      lo: 20,
      hi: 275,
      why: 'extremely preterm neonates measure about 25-30 cm; the tallest recorded adult measured 272 cm',
    },
    usual: {
      lo: 30,
      hi: 220,
      why: 'from extremely preterm neonates to the tallest adults seen in practice; a height in m or in read as cm falls outside',
    },
  },
  {
    name: 'AGE',
    label: { en: 'Age', fr: 'Âge' },
    description: { en: 'age (time since birth)', fr: 'âge (temps écoulé depuis la naissance)' },
    type: 'quantity',
    unit: 'y',
    units: ['y', 'mo', 'wk', 'd'],
    quantity: 'other',
    codes: null,
    derivedBy: [],
    limits: { lo: 0, hi: 125, why: 'from birth to beyond the longest documented human life (122 years)' },
    usual: {
      lo: 0,
      hi: 105,
      why: 'older than 105 years is rare enough to check (a birth year typed as an age?)',
    },
  },
  {
    name: 'SEX',
    label: { en: 'Sex', fr: 'Sexe' },
    description: {
      en: 'sex as the equations use it (Cockcroft-Gault, CKD-EPI, Janmahasatian, Devine): 0 = male, 1 = female',
      fr: 'sexe tel que les équations l’utilisent (Cockcroft-Gault, CKD-EPI, Janmahasatian, Devine) : 0 = homme, 1 = femme',
    },
    type: 'binary',
    unit: '-',
    units: ['-'],
    quantity: 'other',
    codes: [no('male', 'homme'), yes('female', 'femme')],
    derivedBy: [],
    limits: null,
  },
  {
    name: 'BSA',
    label: { en: 'Body surface area', fr: 'Surface corporelle' },
    description: {
      en: 'body surface area; the formula is the model’s (Du Bois or Mosteller)',
      fr: 'surface corporelle ; la formule est celle du modèle (Du Bois ou Mosteller)',
    },
    type: 'quantity',
    unit: 'm2',
    units: ['m2'],
    quantity: 'other',
    codes: null,
    derivedBy: ['bsa_dubois', 'bsa_mosteller'],
    limits: {
      lo: 0.03,
      hi: 7.1,
      why: 'Mosteller BSA at the WT and HT limits: √(20 cm · 0.2 kg / 3600) = 0.033 m2, √(275 cm · 650 kg / 3600) = 7.05 m2',
    },
  },
  {
    name: 'LBW',
    label: { en: 'Lean body weight', fr: 'Masse maigre' },
    description: {
      en: 'lean body weight; the formula is the model’s (Janmahasatian or James)',
      fr: 'masse maigre ; la formule est celle du modèle (Janmahasatian ou James)',
    },
    type: 'quantity',
    unit: 'kg',
    units: MASS,
    quantity: 'other',
    codes: null,
    derivedBy: ['lbw_janmahasatian', 'lbw_james'],
    limits: {
      lo: 0.1,
      hi: 330,
      why: 'at most the body weight; Janmahasatian’s value never exceeds 9270/216 · HT² (42.9 kg/m2 · HT², 325 kg at 275 cm), whatever the weight',
    },
  },
  {
    name: 'FFM',
    label: { en: 'Fat-free mass', fr: 'Masse non grasse' },
    description: {
      en: 'fat-free mass (Janmahasatian; the same equation as their lean body weight)',
      fr: 'masse non grasse (Janmahasatian ; même équation que leur masse maigre)',
    },
    type: 'quantity',
    unit: 'kg',
    units: MASS,
    quantity: 'other',
    codes: null,
    derivedBy: ['ffm_janmahasatian'],
    limits: {
      lo: 0.1,
      hi: 330,
      why: 'at most the body weight; Janmahasatian’s value never exceeds 42.9 kg/m2 · HT² (325 kg at 275 cm)',
    },
  },
  {
    name: 'IBW',
    label: { en: 'Ideal body weight', fr: 'Poids idéal' },
    description: {
      en: 'ideal body weight (Devine) from height and sex',
      fr: 'poids idéal (Devine) selon la taille et le sexe',
    },
    type: 'quantity',
    unit: 'kg',
    units: MASS,
    quantity: 'other',
    codes: null,
    derivedBy: ['ibw_devine'],
    limits: {
      lo: 0,
      hi: 165,
      why: 'Devine’s IBW is positive above about 100 cm and 161 kg for a man at the 275-cm height limit',
    },
  },
  {
    name: 'ABW',
    label: { en: 'Adjusted body weight', fr: 'Poids ajusté' },
    description: {
      en: 'adjusted body weight, IBW + factor · (WT − IBW)',
      fr: 'poids ajusté, PI + facteur · (poids − PI)',
    },
    type: 'quantity',
    unit: 'kg',
    units: MASS,
    quantity: 'other',
    codes: null,
    derivedBy: ['abw'],
    limits: { lo: 0, hi: 650, why: 'between the ideal and the total body weight, so within the WT limits' },
  },
  {
    name: 'GA',
    label: { en: 'Gestational age at birth', fr: 'Âge gestationnel à la naissance' },
    description: {
      en: 'gestational age at birth (completed weeks of pregnancy)',
      fr: 'âge gestationnel à la naissance (semaines d’aménorrhée révolues)',
    },
    type: 'quantity',
    unit: 'wk',
    units: ['wk', 'd'],
    quantity: 'other',
    codes: null,
    derivedBy: [],
    limits: {
      lo: 20,
      hi: 45,
      why: 'live births from the limit of viability (about 22 weeks) to post-term births (42-44 weeks)',
    },
  },
  {
    name: 'PNA',
    label: { en: 'Postnatal age', fr: 'Âge postnatal' },
    description: {
      en: 'postnatal age (time since birth)',
      fr: 'âge postnatal (temps écoulé depuis la naissance)',
    },
    type: 'quantity',
    unit: 'd',
    units: ['d', 'wk', 'mo', 'y'],
    quantity: 'other',
    codes: null,
    derivedBy: [],
    limits: { lo: 0, hi: 45700, why: 'from birth to the AGE limit (125 y = 45 656 d)' },
  },
  {
    name: 'PMA',
    label: { en: 'Postmenstrual age', fr: 'Âge post-menstruel' },
    description: {
      en: 'postmenstrual age = gestational age at birth + postnatal age',
      fr: 'âge post-menstruel = âge gestationnel à la naissance + âge postnatal',
    },
    type: 'quantity',
    unit: 'wk',
    units: ['wk', 'd'],
    quantity: 'other',
    codes: null,
    derivedBy: ['pma', 'pma_from_age'],
    limits: {
      lo: 20,
      hi: 6600,
      why: 'from the GA limit at birth to 40 wk + 125 y at 52 wk per year (6540 wk, colin2019’s convention)',
    },
  },
  // ------------------------------------------------------------------ kidney function
  {
    name: 'SCR',
    label: { en: 'Serum creatinine', fr: 'Créatinine sérique' },
    description: {
      en: 'serum creatinine (enzymatic or IDMS-traceable); 1 mg/dL = 88.4 µmol/L',
      fr: 'créatinine sérique (méthode enzymatique ou traçable IDMS) ; 1 mg/dL = 88,4 µmol/L',
    },
    type: 'quantity',
    unit: 'umol/L',
    units: ['umol/L', 'µmol/L', 'mg/dL', 'mg/L'],
    quantity: 'creatinine',
    codes: null,
    derivedBy: [],
    limits: {
      lo: 5,
      hi: 3000,
      why: 'below the lowest values of the library’s cohorts (neonates from 10 µmol/L) and above end-stage kidney failure (andrews2019’s cohort reaches 1885 µmol/L); a value in mg/dL entered as µmol/L falls below 5',
    },
    usual: {
      lo: 15,
      hi: 1500,
      why: 'below 15 µmol/L only in neonates and a value in mg/dL entered as µmol/L (0.9 mg/dL = 80 µmol/L); above 1500 µmol/L rare, or a value in µmol/L entered as mg/dL',
    },
  },
  {
    name: 'CYSC',
    label: { en: 'Serum cystatin C', fr: 'Cystatine C sérique' },
    description: { en: 'serum cystatin C', fr: 'cystatine C sérique' },
    type: 'quantity',
    unit: 'mg/L',
    units: ['mg/L', 'mg/dL'],
    quantity: 'other',
    codes: null,
    derivedBy: [],
    limits: {
      lo: 0.2,
      hi: 10,
      why: 'a wide margin around normal kidney function (about 1 mg/L) and kidney failure (a few mg/L)',
    },
    usual: {
      lo: 0.4,
      hi: 7,
      why: 'cystatin C lies within 0.5-7 mg/L from normal to end-stage kidney failure',
    },
  },
  {
    name: 'CRCL',
    label: { en: 'Creatinine clearance', fr: 'Clairance de la créatinine' },
    description: {
      en: 'creatinine clearance; the formula, weight and cap are the model’s (Cockcroft-Gault)',
      fr: 'clairance de la créatinine ; formule, poids et plafond sont ceux du modèle (Cockcroft-Gault)',
    },
    type: 'quantity',
    unit: 'mL/min',
    units: ['mL/min', 'L/h'],
    quantity: 'other',
    codes: null,
    derivedBy: ['crcl_cg'],
    limits: {
      lo: 0,
      hi: 500,
      why: '0 in anuria; augmented renal clearance in septic patients reaches about 400 mL/min (delattre2010’s cohort: up to 408 mL/min)',
    },
    usual: {
      lo: 2,
      hi: 250,
      why: 'above 250 mL/min a creatinine in mg/dL entered as µmol/L is likely (augmented renal clearance reaches 150-200 mL/min)',
    },
  },
  {
    name: 'EGFR',
    label: { en: 'Estimated GFR', fr: 'DFG estimé' },
    description: {
      en: 'estimated glomerular filtration rate per 1.73 m2; the equation is the model’s (CKD-EPI, Schwartz)',
      fr: 'débit de filtration glomérulaire estimé pour 1,73 m2 ; l’équation est celle du modèle (CKD-EPI, Schwartz)',
    },
    type: 'quantity',
    unit: 'mL/min/1.73m2',
    units: ['mL/min/1.73m2'],
    quantity: 'other',
    codes: null,
    derivedBy: ['egfr_ckdepi2021', 'egfr_ckdepi_cys2012', 'egfr_schwartz'],
    limits: {
      lo: 0,
      hi: 400,
      why: 'as CRCL: from anuria to augmented renal clearance; the library’s models span 5-170 mL/min/1.73m2',
    },
  },
  {
    name: 'DIAL',
    label: { en: 'Haemodialysis', fr: 'Hémodialyse' },
    description: {
      en: 'intermittent haemodialysis during the stay',
      fr: 'hémodialyse intermittente pendant le séjour',
    },
    type: 'binary',
    unit: '-',
    units: ['-'],
    quantity: 'other',
    codes: [no('no', 'non'), yes('intermittent haemodialysis', 'hémodialyse intermittente')],
    derivedBy: [],
    limits: null,
  },
  // ------------------------------------------------------------------ blood
  {
    name: 'HCT',
    label: { en: 'Haematocrit', fr: 'Hématocrite' },
    description: {
      en: 'haematocrit (volume fraction of red cells)',
      fr: 'hématocrite (fraction volumique des globules rouges)',
    },
    type: 'quantity',
    unit: 'L/L',
    units: ['L/L', '%'],
    quantity: 'other',
    codes: null,
    derivedBy: [],
    limits: {
      lo: 0.05,
      hi: 0.85,
      why: 'life-compatible haematocrits lie well within 0.05-0.85 L/L (severe anaemia near 0.10, neonatal polycythaemia near 0.70); the library’s cohorts span 0.15-0.80 L/L; a percentage entered as L/L is above 0.85',
    },
    usual: { lo: 0.12, hi: 0.7, why: 'a haematocrit in % entered as L/L falls far above 0.7' },
  },
  {
    name: 'ALB',
    label: { en: 'Serum albumin', fr: 'Albumine sérique' },
    description: { en: 'serum albumin', fr: 'albumine sérique' },
    type: 'quantity',
    unit: 'g/L',
    units: ['g/L', 'g/dL'],
    quantity: 'other',
    codes: null,
    derivedBy: [],
    limits: {
      lo: 5,
      hi: 70,
      why: 'normal 35-50 g/L; the library’s cohorts span 12-57 g/L; a value in g/dL entered as g/L is below 7',
    },
    usual: {
      lo: 12,
      hi: 60,
      why: 'serum albumin lies within 15-55 g/L; a value in g/dL entered as g/L falls below 12',
    },
  },
  // ------------------------------------------------------------------ genotypes
  {
    name: 'CYP3A5',
    label: { en: 'CYP3A5 expresser', fr: 'Expresseur CYP3A5' },
    description: {
      en: 'CYP3A5 genotype: expresser = at least one *1 allele; models differ on an unknown genotype (see each model’s label)',
      fr: 'génotype CYP3A5 : expresseur = au moins un allèle *1 ; les modèles diffèrent pour un génotype inconnu (voir chaque modèle)',
    },
    type: 'binary',
    unit: '-',
    units: ['-'],
    quantity: 'other',
    codes: [
      no('non-expresser (*3/*3)', 'non-expresseur (*3/*3)'),
      yes('expresser (*1/*1 or *1/*3)', 'expresseur (*1/*1 ou *1/*3)'),
    ],
    derivedBy: [],
    limits: null,
  },
  {
    name: 'CYP3A4_22',
    label: { en: 'CYP3A4*22 carrier', fr: 'Porteur CYP3A4*22' },
    description: {
      en: 'CYP3A4*22 allele carried (reduced CYP3A4 activity)',
      fr: 'allèle CYP3A4*22 porté (activité CYP3A4 réduite)',
    },
    type: 'binary',
    unit: '-',
    units: ['-'],
    quantity: 'other',
    codes: [no('no *22 allele (*1/*1)', 'pas d’allèle *22 (*1/*1)'), yes('*22 carrier', 'porteur *22')],
    derivedBy: [],
    limits: null,
  },
  {
    name: 'CYP2C19',
    label: { en: 'CYP2C19 reduced function', fr: 'CYP2C19 à fonction réduite' },
    description: {
      en: 'CYP2C19 metaboliser status as voriconazole models bin it (friberg2012: unknown treated as normal)',
      fr: 'statut métaboliseur CYP2C19 tel que les modèles du voriconazole le regroupent (friberg2012 : inconnu traité comme normal)',
    },
    type: 'binary',
    unit: '-',
    units: ['-'],
    quantity: 'other',
    codes: [
      no('normal or ultrarapid metaboliser', 'métaboliseur normal ou ultrarapide'),
      yes('intermediate or poor metaboliser', 'métaboliseur intermédiaire ou lent'),
    ],
    derivedBy: [],
    limits: null,
  },
  {
    name: 'CYP2C9',
    label: { en: 'CYP2C9 genotype', fr: 'Génotype CYP2C9' },
    description: {
      en: 'CYP2C9 genotype of the *2 and *3 alleles (reduced S-warfarin clearance); *1 = neither',
      fr: 'génotype CYP2C9 des allèles *2 et *3 (clairance de la S-warfarine diminuée) ; *1 = aucun des deux',
    },
    type: 'code',
    unit: '-',
    units: ['-'],
    quantity: 'other',
    codes: [
      { value: 0, en: '*1/*1', fr: '*1/*1' },
      { value: 1, en: '*1/*2', fr: '*1/*2' },
      { value: 2, en: '*1/*3', fr: '*1/*3' },
      { value: 3, en: '*2/*2', fr: '*2/*2' },
      { value: 4, en: '*2/*3', fr: '*2/*3' },
      { value: 5, en: '*3/*3', fr: '*3/*3' },
    ],
    derivedBy: [],
    limits: null,
  },
  {
    name: 'VKORC1',
    label: { en: 'VKORC1 −1639 G>A genotype', fr: 'Génotype VKORC1 −1639 G>A' },
    description: {
      en: 'VKORC1 promoter variant −1639 G>A (rs9923231): each A allele lowers the warfarin concentration needed',
      fr: 'variant du promoteur VKORC1 −1639 G>A (rs9923231) : chaque allèle A abaisse la concentration de warfarine nécessaire',
    },
    type: 'code',
    unit: '-',
    units: ['-'],
    quantity: 'other',
    codes: [
      { value: 0, en: 'G/G', fr: 'G/G' },
      { value: 1, en: 'G/A', fr: 'G/A' },
      { value: 2, en: 'A/A', fr: 'A/A' },
    ],
    derivedBy: [],
    limits: null,
  },
  {
    name: 'INR0',
    label: { en: 'Baseline INR', fr: 'INR de base' },
    description: {
      en: 'INR measured before the first dose of a vitamin K antagonist',
      fr: 'INR mesuré avant la première dose d’antivitamine K',
    },
    type: 'quantity',
    unit: '-',
    units: ['-'],
    quantity: 'other',
    codes: null,
    derivedBy: [],
    limits: {
      lo: 0.5,
      hi: 5,
      why: 'an INR is a ratio near 1 without anticoagulant; above 5 before warfarin is a coagulopathy to treat, not a baseline',
    },
    usual: { lo: 0.8, hi: 1.5, why: 'healthy adults 0.8-1.2; liver disease raises it' },
  },
  // ------------------------------------------------------------------ treatment and context
  {
    name: 'ECMO',
    label: { en: 'ECMO', fr: 'ECMO' },
    description: {
      en: 'on extracorporeal membrane oxygenation',
      fr: 'sous oxygénation par membrane extracorporelle',
    },
    type: 'binary',
    unit: '-',
    units: ['-'],
    quantity: 'other',
    codes: [no('no', 'non'), yes('on ECMO', 'sous ECMO')],
    derivedBy: [],
    limits: null,
  },
  {
    name: 'LIVING',
    label: { en: 'Living donor', fr: 'Donneur vivant' },
    description: { en: 'kidney graft from a living donor', fr: 'greffon rénal de donneur vivant' },
    type: 'binary',
    unit: '-',
    units: ['-'],
    quantity: 'other',
    codes: [no('deceased donor', 'donneur décédé'), yes('living donor', 'donneur vivant')],
    derivedBy: [],
    limits: null,
  },
  {
    name: 'PRED_DOSE',
    label: { en: 'Prednisolone dose', fr: 'Dose de prednisolone' },
    description: {
      en: 'prednisolone total daily dose; 0 if none',
      fr: 'dose quotidienne totale de prednisolone ; 0 si aucune',
    },
    type: 'quantity',
    unit: 'mg/day',
    units: ['mg/day', 'mg/d'],
    quantity: 'other',
    codes: null,
    derivedBy: [],
    limits: {
      lo: 0,
      hi: 1000,
      why: 'from none to pulse corticosteroid courses of about 1 g/day; the library’s models split at 20 mg/day',
    },
  },
  {
    name: 'CSA_DOSE',
    label: { en: 'Ciclosporin dose', fr: 'Dose de ciclosporine' },
    description: {
      en: 'ciclosporin total daily dose given with the drug modelled',
      fr: 'dose quotidienne totale de ciclosporine associée',
    },
    type: 'quantity',
    unit: 'mg/day',
    units: ['mg/day', 'mg/d'],
    quantity: 'other',
    codes: null,
    derivedBy: [],
    limits: {
      lo: 0,
      hi: 2000,
      why: 'twice the highest dose of vanhest2005’s cohort (50-1000 mg/day)',
    },
  },
  {
    name: 'ASSAY',
    label: { en: 'Assay', fr: 'Méthode de dosage' },
    description: {
      en: 'the assay of the measured concentrations (the model’s residual error depends on it)',
      fr: 'la méthode de dosage des concentrations mesurées (l’erreur résiduelle du modèle en dépend)',
    },
    type: 'code',
    unit: '-',
    units: ['-'],
    quantity: 'other',
    codes: [no('LC-MS/MS', 'LC-MS/MS'), yes('immunoassay', 'immunodosage')],
    derivedBy: [],
    limits: null,
  },
];

/** The register, by covariate name. */
export const COVARIATE_REGISTER: Readonly<Record<string, CovariateEntry>> = Object.fromEntries(
  entries.map((e) => [e.name, e]),
);

/** The register's entry for a name, or null. */
export function covariateEntry(name: string): CovariateEntry | null {
  return COVARIATE_REGISTER[name] ?? null;
}

/** Something a user enters for a model: a register entry, in the unit the model asks for it. */
export interface PatientInput {
  name: string;
  entry: CovariateEntry;
  /** The unit the model (or its derivation rule) states for it; any of `entry.units` converts. */
  unit: string;
  /** False when the model has a default for every covariate it feeds (reported when used). */
  required: boolean;
  /** The model covariates it gives or is derived into. */
  usedFor: string[];
}

/**
 * What a user must enter for a model, in the order of its covariates table: each covariate that
 * is not derived, and the inputs of the derivations it uses (through the standard IBW, ABW and PMA
 * derivations too). vancomycin/goti2018 → WT, SCR, AGE, SEX, DIAL. A derived covariate may also be
 * entered as measured; it is not listed.
 */
export function patientInputs(model: ModelIR | { ir: ModelIR }): PatientInput[] {
  const ir = 'ir' in model ? model.ir : model;
  const covs = new Map(ir.covariates.map((c) => [c.name, c]));
  const out = new Map<string, PatientInput>();
  const visit = (
    name: string,
    unit: string | null,
    required: boolean,
    usedFor: string,
    stack: string[],
  ): void => {
    if (stack.includes(name)) return;
    const c = covs.get(name);
    const rule =
      c?.derive ??
      (!c && IMPLICIT[name]
        ? { fn: IMPLICIT[name].fn, args: IMPLICIT[name].args.map((a) => ({ name: a, unit: null })) }
        : null);
    if (rule && DERIVATIONS[rule.fn]) {
      rule.args.forEach((a, i) =>
        visit(a.name, a.unit ?? DERIVATIONS[rule.fn].inputs[i]?.unit ?? null, required, usedFor, [
          ...stack,
          name,
        ]),
      );
      return;
    }
    const entry = covariateEntry(name);
    if (!entry)
      throw new DosetwinError([
        {
          code: 'DT_COVARIATE_UNREGISTERED',
          severity: 'error',
          field: `covariates.${name}`,
          message: `${ir.id}: ${name} is not in the covariate register, so no form can ask for it`,
          hint: 'add it to packages/models/src/covariate-register.ts with its units, codes and limits',
        },
      ]);
    const seen = out.get(name);
    if (seen) {
      seen.required ||= required;
      if (!seen.usedFor.includes(usedFor)) seen.usedFor.push(usedFor);
    } else out.set(name, { name, entry, unit: c?.unit ?? unit ?? entry.unit, required, usedFor: [usedFor] });
  };
  for (const c of ir.covariates) visit(c.name, c.unit, c.handling.kind === 'required', c.name, []);
  return [...out.values()];
}

/**
 * A value outside the register's hard limits (after converting it to the canonical unit), or a
 * binary or coded value that is not one of its codes, as an error Issue; null when plausible.
 * Unknown names and unconvertible units are errors too: the register is the list of names.
 */
export function plausibilityIssue(name: string, value: number, unit: string): Issue | null {
  const e = covariateEntry(name);
  const issue = (message: Bilingual, hint?: Bilingual): Issue => ({
    code: 'DT_COVARIATE_IMPLAUSIBLE',
    severity: 'error',
    field: `covariates.${name}`,
    message: message.en,
    ...(hint ? { hint: hint.en } : {}),
    fr: { message: message.fr, ...(hint ? { hint: hint.fr } : {}) },
  });
  if (!e)
    return issue(
      { en: `${name} is not a known covariate`, fr: `${name} n’est pas une covariable connue` },
      {
        en: 'covariates are named as in the covariate register',
        fr: 'les covariables sont nommées comme dans le registre des covariables',
      },
    );
  if (e.codes) {
    if (e.codes.some((c) => c.value === value)) return null;
    return issue(
      {
        en: `${name} is ${value}; it takes ${e.codes.map((c) => `${c.value} (${c.en})`).join(' or ')}`,
        fr: `${name} vaut ${value} ; valeurs admises : ${e.codes.map((c) => `${c.value} (${c.fr})`).join(' ou ')}`,
      },
      name === 'SEX' ? { en: 'SEX is 0 = male, 1 = female', fr: 'SEX vaut 0 = homme, 1 = femme' } : undefined,
    );
  }
  const v = e.units.includes(unit) ? convertCovariate(value, unit, e.unit, e.quantity) : null;
  if (v === null)
    return issue({
      en: `${name} is given in ${unit}; it is entered in ${e.units.join(', ')}`,
      fr: `${name} est donnée en ${unit} ; elle se saisit en ${e.units.join(', ')}`,
    });
  if (!Number.isFinite(v)) return issue({ en: `${name} is not a number`, fr: `${name} n’est pas un nombre` });
  if (!e.limits || (v >= e.limits.lo && v <= e.limits.hi)) return null;
  const fr = (x: number | string): string =>
    String(x)
      .replace(/\./g, ',')
      .replace(/\bu(mol|g)\b/g, 'µ$1');
  const shown = (f: (x: number) => string): string =>
    unit === e.unit
      ? `${f(value)} ${unit}`
      : `${f(value)} ${unit} (${f(Number(v.toPrecision(4)))} ${e.unit})`;
  // The unit the number was probably meant in: one where it would be usual (SCR 0.9 in mg/dL).
  const within = e.usual ?? e.limits;
  const meant = e.units.filter((u) => {
    const x = u === unit ? null : convertCovariate(value, u, e.unit, e.quantity);
    return x !== null && x >= within.lo && x <= within.hi;
  });
  const slip = meant.length ? meant.map((u) => `${value} ${u}`).join(' / ') : null;
  return issue(
    {
      en: `${name} is ${shown(String)}; a ${e.label.en.toLowerCase()} lies within ${e.limits.lo}..${e.limits.hi} ${e.unit}`,
      fr: `${name} vaut ${fr(shown(String))} ; ${e.label.fr.toLowerCase()} : entre ${fr(e.limits.lo)} et ${fr(e.limits.hi)} ${fr(e.unit)}`,
    },
    {
      en: `${slip ? `was it ${slip}? ` : ''}is the unit right? ${e.limits.why}`,
      fr: `${slip ? `s’agissait-il de ${slip.replace(/\./g, ',')} ? ` : ''}l’unité est-elle la bonne ?`,
    },
  );
}
