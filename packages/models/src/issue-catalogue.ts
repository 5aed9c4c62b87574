/**
 * The issue catalogue: one entry per issue code dosetwin raises (`Issue.code`, `DT_*`) in any
 * package — the engine, the model library, the service, the CLI, the web app — with the severity
 * it is raised with, its area, the packages that raise it, and a title, its meaning and the action
 * to take, in English and French. An issue's own message says what happened here (the value, the
 * field, the line); its catalogue entry says what the code means and what to do about it.
 *
 * How to use this catalogue
 * - Look a code up with {@link issueInfo} (`issueInfo('DT_SAMPLE_BLQ')`, null for an unknown code):
 *   show `title` and `action` in the user's language beside the issue's message. The service
 *   serves the whole catalogue at GET /api/issues, for the web app and integrators.
 * - Codes are stable: never rename a code or reuse it for another meaning. A new code is added here
 *   in the same change that raises it; a code no longer raised is removed. The catalogue test
 *   (`issue-catalogue.test.ts`) scans the sources of every package (their string literals; tests
 *   excluded) and fails naming a code raised or compared against but not catalogued, a catalogued
 *   code that nothing raises any more, an entry whose `raisedIn` differs from the packages that
 *   raise it, and an empty text.
 * - `severity` is the severity the code is raised with: `error` (the computation cannot go on),
 *   `warning` (still computed: outside a validity domain, a level left out…), or `both` when the
 *   same code is raised either way depending on the caller.
 * - `raisedIn` lists the packages whose sources raise the code. An issue raised by the engine or
 *   the library reaches the CLI (stderr; exit code 2 for an error), the service (in
 *   `{ error: { status, issues } }` or in a result's `warnings`; the HTTP status from the service's
 *   `statusOf`, 422 unless listed there) and the web app unchanged.
 * - Families: a code built from a template (`` `DT_NONMEM_${kind}` ``) would be catalogued as one
 *   family entry whose code ends in `_*` (`DT_NONMEM_*`), covering every code with that prefix; the
 *   test requires a family entry for every template prefix it finds in the sources, and a template
 *   for every family entry. No code is built from a template today: every code, the NONMEM
 *   translation's included, is written out in full where it is raised, and has its own entry.
 * - Texts: `title` is a few words; `meaning` says in a sentence what happened; `action` what the
 *   user does about it. They are written for whoever sees the issue (prescriber, pharmacologist,
 *   pharmacometrician writing a model, integrator), in the vocabulary of the clinic, and must stay
 *   true to the code that raises the issue: read it before editing an entry.
 */
import type { Bilingual } from './covariate-register.ts';

/** What an issue is about. */
export const ISSUE_AREAS = [
  'model file',
  'model library',
  'NONMEM translation',
  'data',
  'units',
  'covariates',
  'clinical policy',
  'simulation',
  'estimation',
  'dosing',
  'averaging',
  'ML',
  'service/HTTP',
  'storage',
  'CLI',
  'web app',
] as const;
export type IssueArea = (typeof ISSUE_AREAS)[number];

/** The packages of the monorepo, by folder name. */
export const ISSUE_PACKAGES = ['engine', 'models', 'server', 'cli', 'web'] as const;
export type IssuePackage = (typeof ISSUE_PACKAGES)[number];

/** The severity a code is raised with; `both` when it is raised as an error and as a warning. */
export type IssueSeverity = 'error' | 'warning' | 'both';

/** One code of the catalogue. */
export interface IssueEntry {
  /** The code, or a family (`DT_PREFIX_*`) covering codes built from a template. */
  code: `DT_${string}`;
  severity: IssueSeverity;
  area: IssueArea;
  /** The packages whose sources raise it. */
  raisedIn: IssuePackage[];
  /** A few words. */
  title: Bilingual;
  /** What happened, in a sentence. */
  meaning: Bilingual;
  /** What the user does about it. */
  action: Bilingual;
}

const CATALOGUE: IssueEntry[] = [
  // ------------------------------------------------------------------ model files (.dtm)
  {
    code: 'DT_MODEL_SYNTAX',
    severity: 'error',
    area: 'model file',
    raisedIn: ['engine'],
    title: { en: 'Model file syntax error', fr: 'Erreur de syntaxe du fichier de modèle' },
    meaning: {
      en: 'The model file cannot be read at the place shown: an unexpected character or word, an unterminated string or a malformed section.',
      fr: 'Le fichier de modèle ne peut pas être lu à l’endroit indiqué : caractère ou mot inattendu, chaîne non terminée ou section mal formée.',
    },
    action: {
      en: "Correct the file at the line and column given (the hint often says what was expected), then run 'dosetwin check --model FILE'.",
      fr: 'Corriger le fichier à la ligne et à la colonne indiquées (l’indication précise souvent ce qui était attendu), puis lancer « dosetwin check --model FICHIER ».',
    },
  },
  {
    code: 'DT_MODEL_SEMANTIC',
    severity: 'error',
    area: 'model file',
    raisedIn: ['engine'],
    title: { en: 'Model file inconsistent', fr: 'Fichier de modèle incohérent' },
    meaning: {
      en: 'The model file reads correctly but does not make sense: a name used but never defined, an unknown function, a reserved name assigned, or equations that conflict with the declared structure.',
      fr: 'Le fichier de modèle se lit correctement mais il est incohérent : nom utilisé sans être défini, fonction inconnue, affectation d’un nom réservé, ou équations en conflit avec la structure déclarée.',
    },
    action: {
      en: 'Correct the statement at the line given; the hint suggests the closest known name or lists what is allowed.',
      fr: 'Corriger l’instruction à la ligne indiquée ; l’indication propose le nom connu le plus proche ou la liste de ce qui est permis.',
    },
  },
  {
    code: 'DT_MODEL_UNIT',
    severity: 'warning',
    area: 'model file',
    raisedIn: ['engine'],
    title: { en: 'Inconsistent units in the model', fr: 'Unités incohérentes dans le modèle' },
    meaning: {
      en: 'An equation of the model file gives a quantity in a unit other than the one expected (for example a concentration in mg·kg/L instead of mg/L); the model is still compiled.',
      fr: 'Une équation du fichier de modèle donne une grandeur dans une autre unité que celle attendue (par exemple une concentration en mg·kg/L au lieu de mg/L) ; le modèle est tout de même compilé.',
    },
    action: {
      en: 'Check the declared units of the parameters (L or L/kg, L/h or mL/min) against the publication and correct the declaration or the equation: until then predictions may be off by a constant factor.',
      fr: 'Vérifier les unités déclarées des paramètres (L ou L/kg, L/h ou mL/min) par rapport à la publication, puis corriger la déclaration ou l’équation : d’ici là, les prédictions peuvent être fausses d’un facteur constant.',
    },
  },
  {
    code: 'DT_MODEL_DDT_MISSING',
    severity: 'warning',
    area: 'model file',
    raisedIn: ['engine'],
    title: {
      en: 'Compartment without a differential equation',
      fr: 'Compartiment sans équation différentielle',
    },
    meaning: {
      en: 'A compartment has no d/dt equation: its derivative is taken as 0, so its amount changes only by doses.',
      fr: 'Un compartiment n’a pas d’équation d/dt : sa dérivée est prise égale à 0, sa quantité ne varie donc qu’avec les doses.',
    },
    action: {
      en: "Write 'd/dt(compartment) = …' if the compartment has inflow or outflow; otherwise nothing to do.",
      fr: 'Écrire « d/dt(compartiment) = … » si le compartiment a des entrées ou des sorties ; sinon, rien à faire.',
    },
  },
  {
    code: 'DT_MODEL_OMEGA',
    severity: 'error',
    area: 'model file',
    raisedIn: ['engine'],
    title: {
      en: 'Invalid random-effects matrix (Ω)',
      fr: 'Matrice des effets aléatoires (Ω) invalide',
    },
    meaning: {
      en: "The model's variance-covariance matrix of the random effects (Ω) is not positive definite, or gives a between-subject effect a covariance with an inter-occasion effect: no Bayesian estimation is possible.",
      fr: 'La matrice de variance-covariance des effets aléatoires du modèle (Ω) n’est pas définie positive, ou corrèle un effet interindividuel à un effet inter-occasion : aucune estimation bayésienne n’est possible.',
    },
    action: {
      en: "Correct the model's random-effects block: variances > 0, correlations between −1 and 1, no covariance between between-subject and inter-occasion effects.",
      fr: 'Corriger le bloc des effets aléatoires du modèle : variances > 0, corrélations entre −1 et 1, aucune covariance entre effets interindividuels et inter-occasion.',
    },
  },
  {
    code: 'DT_OMEGA',
    severity: 'error',
    area: 'model file',
    raisedIn: ['engine'],
    title: {
      en: 'Ω not positive definite (parameter draws)',
      fr: 'Ω non définie positive (tirages de paramètres)',
    },
    meaning: {
      en: "The twin cannot draw the patient's possible parameters from the population distribution because the model's random-effects matrix (Ω) is not positive definite.",
      fr: 'Le jumeau ne peut pas tirer les paramètres possibles du patient dans la distribution de population, car la matrice des effets aléatoires du modèle (Ω) n’est pas définie positive.',
    },
    action: {
      en: "Correct the model's random-effects block (variances > 0, correlations between −1 and 1), or choose another model.",
      fr: 'Corriger le bloc des effets aléatoires du modèle (variances > 0, corrélations entre −1 et 1), ou choisir un autre modèle.',
    },
  },
  {
    code: 'DT_MODEL_DERIVE',
    severity: 'error',
    area: 'model file',
    raisedIn: ['models'],
    title: {
      en: 'Invalid covariate derivation in the model',
      fr: 'Dérivation de covariable invalide dans le modèle',
    },
    meaning: {
      en: 'A covariate the model file derives (for example a creatinine clearance by Cockcroft–Gault) names an unknown derivation, the wrong number of inputs, an unknown option, or a unit the derivation cannot read.',
      fr: 'Une covariable que le fichier de modèle calcule (par exemple une clairance de la créatinine par Cockcroft–Gault) désigne une formule inconnue, un mauvais nombre d’entrées, une option inconnue ou une unité que la formule ne sait pas lire.',
    },
    action: {
      en: "Correct the model's 'derive' line (function, inputs, options and their units) as the message says.",
      fr: 'Corriger la ligne « derive » du modèle (formule, entrées, options et leurs unités) comme l’indique le message.',
    },
  },
  // ------------------------------------------------------------------ the model library
  {
    code: 'DT_MODEL_UNKNOWN',
    severity: 'error',
    area: 'model library',
    raisedIn: ['models', 'server'],
    title: { en: 'Unknown model', fr: 'Modèle inconnu' },
    meaning: {
      en: "The model asked for is not in the library, or is not a model of the request's drug.",
      fr: 'Le modèle demandé n’est pas dans la bibliothèque, ou n’est pas un modèle du médicament de la demande.',
    },
    action: {
      en: "Choose a model from the library ('dosetwin models', GET /api/models); the hint lists the drug's models.",
      fr: 'Choisir un modèle de la bibliothèque (« dosetwin models », GET /api/models) ; l’indication liste les modèles du médicament.',
    },
  },
  {
    code: 'DT_DRUG_UNKNOWN',
    severity: 'error',
    area: 'model library',
    raisedIn: ['models', 'server'],
    title: { en: 'Drug not in the library', fr: 'Médicament absent de la bibliothèque' },
    meaning: {
      en: 'The library has no model of the drug named.',
      fr: 'La bibliothèque ne contient aucun modèle du médicament indiqué.',
    },
    action: {
      en: "Check the drug's name as the library writes it (e.g. 'vancomycin', 'mycophenolic acid'); 'dosetwin models' and GET /api/models list the drugs.",
      fr: 'Vérifier le nom du médicament tel que l’écrit la bibliothèque (par exemple « vancomycin », « mycophenolic acid ») ; « dosetwin models » et GET /api/models listent les médicaments.',
    },
  },
  {
    code: 'DT_FORMULATION_NEEDED',
    severity: 'error',
    area: 'model library',
    raisedIn: ['models'],
    title: { en: 'Formulation to be given', fr: 'Forme galénique à préciser' },
    meaning: {
      en: "The drug's models are each specific to a formulation (for example tacrolimus Prograf or Advagraf), and the request does not say which one the patient takes.",
      fr: 'Les modèles de ce médicament sont chacun propres à une forme galénique (par exemple tacrolimus Prograf ou Advagraf), et la demande ne précise pas celle que reçoit le patient.',
    },
    action: {
      en: 'Give the formulation the patient takes (the hint lists those the models are for).',
      fr: 'Indiquer la forme galénique reçue par le patient (l’indication liste celles que couvrent les modèles).',
    },
  },
  {
    code: 'DT_FORMULATION_UNKNOWN',
    severity: 'error',
    area: 'model library',
    raisedIn: ['models'],
    title: { en: 'Unknown formulation', fr: 'Forme galénique inconnue' },
    meaning: {
      en: 'No model of the drug is for the formulation given.',
      fr: 'Aucun modèle du médicament ne correspond à la forme galénique indiquée.',
    },
    action: {
      en: 'Give one of the formulations listed in the hint, or choose a model yourself.',
      fr: 'Indiquer l’une des formes galéniques listées dans l’indication, ou choisir soi-même un modèle.',
    },
  },
  {
    code: 'DT_DRUG_FILE',
    severity: 'error',
    area: 'model library',
    raisedIn: ['models'],
    title: {
      en: 'Drug file inconsistent with a model',
      fr: 'Fiche médicament incohérente avec un modèle',
    },
    meaning: {
      en: "A library model names a formulation that its drug file does not list, or a product's limit has a unit that cannot be read: the library itself is inconsistent.",
      fr: 'Un modèle de la bibliothèque cite une forme galénique absente de la fiche de son médicament, ou une limite d’un produit a une unité illisible : la bibliothèque elle-même est incohérente.',
    },
    action: {
      en: "Library maintainers: add the formulation to the drug file (packages/models/<drug>/drug.ts) or correct the model's entry. Users: report it.",
      fr: 'Mainteneurs de la bibliothèque : ajouter la forme galénique à la fiche du médicament (packages/models/<médicament>/drug.ts) ou corriger l’entrée du modèle. Utilisateurs : le signaler.',
    },
  },
  {
    code: 'DT_COVARIATE_UNREGISTERED',
    severity: 'error',
    area: 'model library',
    raisedIn: ['models'],
    title: { en: 'Covariate not in the register', fr: 'Covariable absente du registre' },
    meaning: {
      en: 'A model uses a covariate the covariate register does not know, so no form can ask for it.',
      fr: 'Un modèle utilise une covariable inconnue du registre des covariables : aucun formulaire ne peut donc la demander.',
    },
    action: {
      en: 'Library maintainers: add the covariate to the register (packages/models/src/covariate-register.ts) with its units, codes and plausibility limits. Users: report it.',
      fr: 'Mainteneurs de la bibliothèque : ajouter la covariable au registre (packages/models/src/covariate-register.ts) avec ses unités, ses codes et ses limites de plausibilité. Utilisateurs : le signaler.',
    },
  },
  // ------------------------------------------------------------------ NONMEM translation
  {
    code: 'DT_NONMEM_SYNTAX',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'NONMEM control stream syntax', fr: 'Syntaxe du fichier de contrôle NONMEM' },
    meaning: {
      en: 'The NONMEM control stream cannot be read at the place shown: text before the first record, a record given twice, a malformed statement, DADT or A_0 set outside their record, or a variable named like a parameter.',
      fr: 'Le fichier de contrôle NONMEM ne peut pas être lu à l’endroit indiqué : texte avant le premier enregistrement, enregistrement répété, instruction mal formée, DADT ou A_0 définis hors de leur enregistrement, ou variable portant le nom d’un paramètre.',
    },
    action: {
      en: 'Correct the control stream at the line and column given.',
      fr: 'Corriger le fichier de contrôle à la ligne et à la colonne indiquées.',
    },
  },
  {
    code: 'DT_NONMEM_RECORD',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'Unknown NONMEM record', fr: 'Enregistrement NONMEM inconnu' },
    meaning: {
      en: 'A record name ($…) is not a NONMEM record, or abbreviates several.',
      fr: 'Un nom d’enregistrement ($…) n’est pas un enregistrement NONMEM, ou en abrège plusieurs.',
    },
    action: {
      en: 'Spell the record out ($PROBLEM, $INPUT, $DATA, $SUBROUTINES, $PK, $ERROR, $THETA, $OMEGA, $SIGMA…).',
      fr: 'Écrire le nom complet de l’enregistrement ($PROBLEM, $INPUT, $DATA, $SUBROUTINES, $PK, $ERROR, $THETA, $OMEGA, $SIGMA…).',
    },
  },
  {
    code: 'DT_NONMEM_IGNORED',
    severity: 'warning',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'NONMEM statement ignored', fr: 'Instruction NONMEM ignorée' },
    meaning: {
      en: 'Part of the control stream does not define the model and is ignored (estimation or table records, a second problem, PRIOR, user code, output statements, a missing $DATA read with the default IGNORE=#).',
      fr: 'Une partie du fichier de contrôle ne définit pas le modèle et est ignorée (enregistrements d’estimation ou de tables, second problème, PRIOR, code utilisateur, instructions d’écriture, $DATA absent lu avec IGNORE=# par défaut).',
    },
    action: {
      en: 'Nothing to do if that part does not change the model; otherwise write it in a form dosetwin reads.',
      fr: 'Rien à faire si cette partie ne modifie pas le modèle ; sinon, l’écrire sous une forme que dosetwin sait lire.',
    },
  },
  {
    code: 'DT_NONMEM_UNSUPPORTED',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'NONMEM feature not supported', fr: 'Fonction NONMEM non prise en charge' },
    meaning: {
      en: 'The control stream uses a NONMEM feature dosetwin does not translate ($PRED, calendar dates, equilibrium compartments, model event times, loops, arrays, a value kept from an earlier record…).',
      fr: 'Le fichier de contrôle utilise une fonction de NONMEM que dosetwin ne traduit pas ($PRED, dates calendaires, compartiments d’équilibre, temps d’événements du modèle, boucles, tableaux, valeur conservée d’un enregistrement précédent…).',
    },
    action: {
      en: 'Rewrite that part as the hint suggests (e.g. ADVAN with $PK and $ERROR, TIME in hours), or write the model as a .dtm file.',
      fr: 'Réécrire cette partie comme le suggère l’indication (par exemple ADVAN avec $PK et $ERROR, TIME en heures), ou écrire le modèle en fichier .dtm.',
    },
  },
  {
    code: 'DT_NONMEM_INPUT',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'Invalid $INPUT', fr: '$INPUT invalide' },
    meaning: {
      en: 'The $INPUT record is missing, malformed, lists an item twice, or lacks an item the dataset needs (ID, TIME, DV…).',
      fr: 'L’enregistrement $INPUT est absent ou mal formé, cite deux fois une colonne, ou omet une colonne indispensable (ID, TIME, DV…).',
    },
    action: {
      en: 'List the data items in the order of the dataset columns, e.g. $INPUT ID TIME AMT DV MDV EVID CMT.',
      fr: 'Lister les colonnes dans l’ordre du jeu de données, par exemple $INPUT ID TIME AMT DV MDV EVID CMT.',
    },
  },
  {
    code: 'DT_NONMEM_DATA',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'NONMEM dataset unreadable', fr: 'Jeu de données NONMEM illisible' },
    meaning: {
      en: 'The dataset named by $DATA cannot be read as $INPUT and $DATA describe it (a bad value at the line shown, or an IGNORE/ACCEPT condition on an item $INPUT does not have).',
      fr: 'Le jeu de données désigné par $DATA ne peut pas être lu comme le décrivent $INPUT et $DATA (valeur invalide à la ligne indiquée, ou condition IGNORE/ACCEPT sur une colonne absente de $INPUT).',
    },
    action: {
      en: 'Correct the dataset at the line given, or the $DATA options.',
      fr: 'Corriger le jeu de données à la ligne indiquée, ou les options de $DATA.',
    },
  },
  {
    code: 'DT_NONMEM_SUBROUTINES',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'Invalid $SUBROUTINES', fr: '$SUBROUTINES invalide' },
    meaning: {
      en: '$SUBROUTINES is missing, names no ADVAN, or names an ADVAN/TRANS pair that does not exist.',
      fr: '$SUBROUTINES est absent, ne cite aucun ADVAN, ou cite une combinaison ADVAN/TRANS qui n’existe pas.',
    },
    action: {
      en: 'Name the structural model, e.g. $SUBROUTINES ADVAN2 TRANS2 (the hint lists the TRANS an ADVAN takes).',
      fr: 'Nommer le modèle structurel, par exemple $SUBROUTINES ADVAN2 TRANS2 (l’indication liste les TRANS acceptés par l’ADVAN).',
    },
  },
  {
    code: 'DT_NONMEM_MODEL',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'Invalid $MODEL', fr: '$MODEL invalide' },
    meaning: {
      en: 'A general ADVAN needs a $MODEL record declaring its compartments, and it is missing or malformed.',
      fr: 'Un ADVAN général exige un enregistrement $MODEL déclarant ses compartiments, et celui-ci est absent ou mal formé.',
    },
    action: {
      en: 'Declare the compartments, e.g. $MODEL COMP=(DEPOT DEFDOSE) COMP=(CENTRAL DEFOBS).',
      fr: 'Déclarer les compartiments, par exemple $MODEL COMP=(DEPOT DEFDOSE) COMP=(CENTRAL DEFOBS).',
    },
  },
  {
    code: 'DT_NONMEM_PK',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'Incomplete $PK', fr: '$PK incomplet' },
    meaning: {
      en: 'The $PK record is missing, or does not assign the parameters the chosen ADVAN/TRANS needs (e.g. CL and V, or the rate constants Kij).',
      fr: 'L’enregistrement $PK est absent, ou n’affecte pas les paramètres qu’exige l’ADVAN/TRANS choisi (par exemple CL et V, ou les constantes Kij).',
    },
    action: {
      en: 'Assign in $PK every parameter the message lists.',
      fr: 'Affecter dans $PK chacun des paramètres que cite le message.',
    },
  },
  {
    code: 'DT_NONMEM_DES',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: '$DES missing or misplaced', fr: '$DES absent ou mal placé' },
    meaning: {
      en: 'A differential-equation ADVAN (6, 13…) has no $DES record, or a $DES record is given with an ADVAN that does not use it.',
      fr: 'Un ADVAN à équations différentielles (6, 13…) n’a pas d’enregistrement $DES, ou un $DES accompagne un ADVAN qui ne l’utilise pas.',
    },
    action: {
      en: 'Write $DES with DADT(1) … DADT(n), or use ADVAN13 (or 6) for differential equations.',
      fr: 'Écrire $DES avec DADT(1) … DADT(n), ou utiliser ADVAN13 (ou 6) pour des équations différentielles.',
    },
  },
  {
    code: 'DT_NONMEM_DADT_UNSET',
    severity: 'warning',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'DADT not set', fr: 'DADT non défini' },
    meaning: {
      en: 'A compartment has no DADT(n) equation: it is taken as 0, as NONMEM does, so its amount changes only by doses.',
      fr: 'Un compartiment n’a pas d’équation DADT(n) : elle est prise égale à 0, comme le fait NONMEM, sa quantité ne varie donc qu’avec les doses.',
    },
    action: {
      en: 'Write DADT(n) = … if the compartment has inflow or outflow; otherwise nothing to do.',
      fr: 'Écrire DADT(n) = … si le compartiment a des entrées ou des sorties ; sinon, rien à faire.',
    },
  },
  {
    code: 'DT_NONMEM_CONDITIONAL',
    severity: 'warning',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'Variable set only under a condition', fr: 'Variable définie seulement sous condition' },
    meaning: {
      en: 'A variable of $PK, $DES or $ERROR (for instance F1 or ALAG1) is set only inside an IF without ELSE. Where the condition fails, NONMEM keeps the value of the previous record, or of the previous subject at a subject’s first record, which the model does not define; dosetwin uses PREDPP’s default there (F 1, lag, rate and duration 0; other variables 0), also at a record where a covariate has left the condition.',
      fr: 'Une variable de $PK, $DES ou $ERROR (par exemple F1 ou ALAG1) n’est définie que dans un IF sans ELSE. Là où la condition n’est pas remplie, NONMEM garde la valeur de l’enregistrement précédent, ou du sujet précédent au premier enregistrement d’un sujet, que le modèle ne définit pas ; dosetwin y prend la valeur par défaut de PREDPP (F 1, latence, débit et durée 0 ; autres variables 0), y compris à un enregistrement où une covariable est sortie de la condition.',
    },
    action: {
      en: 'Set the variable in an ELSE branch (or before the IF) so that every record says its value; predictions may otherwise differ from NONMEM’s where the condition changes between records.',
      fr: 'Définir la variable dans une branche ELSE (ou avant le IF) pour que chaque enregistrement en donne la valeur ; sinon, les prédictions peuvent différer de celles de NONMEM là où la condition change d’un enregistrement à l’autre.',
    },
  },
  {
    code: 'DT_NONMEM_ERROR',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'Invalid $ERROR', fr: '$ERROR invalide' },
    meaning: {
      en: '$ERROR is missing, does not set Y, or uses EPS in a way that is not differentiable at 0 (inside ABS, MIN, MAX, a comparison…), so the residual variance is not defined.',
      fr: '$ERROR est absent, ne définit pas Y, ou utilise EPS de façon non dérivable en 0 (dans ABS, MIN, MAX, une comparaison…) : la variance résiduelle n’est alors pas définie.',
    },
    action: {
      en: 'Write the observation model, e.g. IPRED = F and Y = IPRED + IPRED*EPS(1) + EPS(2).',
      fr: 'Écrire le modèle d’observation, par exemple IPRED = F et Y = IPRED + IPRED*EPS(1) + EPS(2).',
    },
  },
  {
    code: 'DT_NONMEM_THETA',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'Invalid $THETA', fr: '$THETA invalide' },
    meaning: {
      en: 'A $THETA entry cannot be read: a missing initial estimate, an infinite estimate, or a malformed (low, init, up) triple.',
      fr: 'Une valeur de $THETA ne peut pas être lue : estimation initiale absente ou infinie, ou triplet (bas, initiale, haut) mal formé.',
    },
    action: {
      en: 'Give every THETA its final estimate (dosetwin uses the values, as estimated).',
      fr: 'Donner à chaque THETA son estimation finale (dosetwin utilise les valeurs telles qu’estimées).',
    },
  },
  {
    code: 'DT_NONMEM_OMEGA',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'Invalid $OMEGA', fr: '$OMEGA invalide' },
    meaning: {
      en: 'An $OMEGA record cannot be read: a malformed BLOCK, SAME without a previous block, a negative variance, or a block that is not a valid covariance matrix.',
      fr: 'Un enregistrement $OMEGA ne peut pas être lu : BLOCK mal formé, SAME sans bloc précédent, variance négative, ou bloc qui n’est pas une matrice de covariance valide.',
    },
    action: {
      en: 'Correct the $OMEGA record at the line given (e.g. $OMEGA BLOCK(2) 0.1 0.01 0.1).',
      fr: 'Corriger l’enregistrement $OMEGA à la ligne indiquée (par exemple $OMEGA BLOCK(2) 0.1 0.01 0.1).',
    },
  },
  {
    code: 'DT_NONMEM_SIGMA',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'Invalid $SIGMA', fr: '$SIGMA invalide' },
    meaning: {
      en: 'A $SIGMA record cannot be read: a malformed BLOCK, SAME without a previous block, a negative variance, or a block that is not a valid covariance matrix.',
      fr: 'Un enregistrement $SIGMA ne peut pas être lu : BLOCK mal formé, SAME sans bloc précédent, variance négative, ou bloc qui n’est pas une matrice de covariance valide.',
    },
    action: {
      en: 'Correct the $SIGMA record at the line given.',
      fr: 'Corriger l’enregistrement $SIGMA à la ligne indiquée.',
    },
  },
  {
    code: 'DT_NONMEM_UNDEFINED',
    severity: 'error',
    area: 'NONMEM translation',
    raisedIn: ['engine'],
    title: { en: 'Undefined NONMEM name', fr: 'Nom NONMEM non défini' },
    meaning: {
      en: 'The code refers to something that does not exist: THETA(n), ETA(n) or EPS(n) beyond those defined, a data item dropped in $INPUT, or T outside $DES.',
      fr: 'Le code fait référence à un élément inexistant : THETA(n), ETA(n) ou EPS(n) au-delà de ceux définis, colonne supprimée (DROP) dans $INPUT, ou T hors de $DES.',
    },
    action: {
      en: 'Define the parameter, keep the data item (remove =DROP), or correct the reference.',
      fr: 'Définir le paramètre, conserver la colonne (retirer =DROP) ou corriger la référence.',
    },
  },
  // ------------------------------------------------------------------ data: datasets, records, files
  {
    code: 'DT_DATA',
    severity: 'error',
    area: 'data',
    raisedIn: ['cli', 'engine', 'models'],
    title: { en: 'Invalid data', fr: 'Données invalides' },
    meaning: {
      en: 'A dataset, eta table or patient record cannot be used as it is: a missing column or value, a value that is not a number, times out of order, a dose without amount, a compartment that does not exist, a coded column with an unknown code (SEX must be 0 = male, 1 = female)…',
      fr: 'Un jeu de données, une table d’etas ou un dossier patient ne peut pas être utilisé tel quel : colonne ou valeur manquante, valeur non numérique, temps dans le désordre, dose sans quantité, compartiment inexistant, colonne codée avec un code inconnu (SEX vaut 0 = homme, 1 = femme)…',
    },
    action: {
      en: 'Correct the value at the line and column named in the message, then run again.',
      fr: 'Corriger la valeur à la ligne et à la colonne indiquées dans le message, puis relancer.',
    },
  },
  {
    code: 'DT_DATA_UNIT',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Unit missing or wrong in the data', fr: 'Unité manquante ou erronée dans les données' },
    meaning: {
      en: 'A value of the data has no unit though a model reads it in one, or the unit given for doses, times or concentrations is not of the right kind.',
      fr: 'Une valeur des données n’a pas d’unité alors qu’un modèle la lit dans une unité donnée, ou l’unité des doses, des temps ou des concentrations n’est pas du bon type.',
    },
    action: {
      en: "Write the unit in the column header, e.g. 'SCR (umol/L)', 'AMT (mg)', 'DV (mg/L)'.",
      fr: 'Écrire l’unité dans l’en-tête de la colonne, par exemple « SCR (umol/L) », « AMT (mg) », « DV (mg/L) ».',
    },
  },
  {
    code: 'DT_REGIMEN',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['engine', 'models'],
    title: { en: 'Invalid regimen or administration', fr: 'Schéma posologique ou administration invalide' },
    meaning: {
      en: "A regimen, or the doses and times of a patient's record, cannot be used: a dose, interval or infusion duration out of range, a date-time (of a dose, level or covariate) without a time zone, an infusion without its duration, an event before the origin, a regimen text that cannot be read, or no record to start from.",
      fr: 'Un schéma posologique, ou les doses et les heures du dossier du patient, ne peuvent pas être utilisés : dose, intervalle ou durée de perfusion hors limites, date-heure (d’une dose, d’un prélèvement ou d’une covariable) sans fuseau horaire, perfusion sans durée, événement antérieur à l’origine, schéma écrit illisible, ou aucun enregistrement d’où partir.',
    },
    action: {
      en: "Correct the field named (dates as '2026-11-12T08:00+01:00'; an infusion's duration; a dose > 0; an infusion no longer than the interval).",
      fr: 'Corriger le champ indiqué (dates au format « 2026-11-12T08:00+01:00 » ; durée de la perfusion ; dose > 0 ; perfusion pas plus longue que l’intervalle).',
    },
  },
  {
    code: 'DT_ROUTE',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Route not described by the model', fr: 'Voie non décrite par le modèle' },
    meaning: {
      en: 'A dose was given by a route the model does not describe: an oral dose with a model of intravenous doses only, or an intravenous dose with a model without a central compartment.',
      fr: 'Une dose a été administrée par une voie que le modèle ne décrit pas : dose orale avec un modèle d’administration intraveineuse seule, ou dose intraveineuse avec un modèle sans compartiment central.',
    },
    action: {
      en: "Check the administration's route, or choose a model developed for that route.",
      fr: 'Vérifier la voie de l’administration, ou choisir un modèle développé pour cette voie.',
    },
  },
  {
    code: 'DT_ANALYSIS_NO_DOSE',
    severity: 'error',
    area: 'data',
    raisedIn: ['models', 'server'],
    title: { en: 'No recorded dose', fr: 'Aucune dose enregistrée' },
    meaning: {
      en: 'The patient has no recorded administration, so no analysis can start.',
      fr: 'Le patient n’a aucune administration enregistrée : aucune analyse ne peut commencer.',
    },
    action: {
      en: 'Record the doses given (time, amount, route, infusion duration), then ask again.',
      fr: 'Enregistrer les doses administrées (heure, quantité, voie, durée de perfusion), puis relancer la demande.',
    },
  },
  {
    code: 'DT_TWIN_EMPTY',
    severity: 'error',
    area: 'data',
    raisedIn: ['engine'],
    title: { en: 'Empty patient history', fr: 'Historique du patient vide' },
    meaning: {
      en: "The patient's twin cannot be built: the history has no record.",
      fr: 'Le jumeau du patient ne peut pas être construit : l’historique ne contient aucun enregistrement.',
    },
    action: {
      en: 'Record at least the administrations (and the covariates) before building the twin.',
      fr: 'Enregistrer au moins les administrations (et les covariables) avant de construire le jumeau.',
    },
  },
  {
    code: 'DT_WARFARIN_INPUT',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['models'],
    title: { en: 'Warfarin dose question not usable', fr: 'Demande de dose de warfarine inutilisable' },
    meaning: {
      en: 'The next warfarin dose cannot be computed: an age outside 18-110 years, a CYP2C9 genotype other than the six *1/*2/*3 combinations, a VKORC1 −1639 genotype other than G/G, G/A or A/A, a dose or INR out of range, the next dose before the last record, or a horizon or target range that is not one.',
      fr: 'La prochaine dose de warfarine ne peut pas être calculée : âge hors de 18 à 110 ans, génotype CYP2C9 autre que les six combinaisons *1/*2/*3, génotype VKORC1 −1639 autre que G/G, G/A ou A/A, dose ou INR hors limites, prochaine dose avant le dernier enregistrement, ou horizon ou intervalle cible invalide.',
    },
    action: {
      en: 'Correct the field named (genotypes as written by the laboratory, e.g. *1/*3 and G/A; INRs as ratios, e.g. 2.4).',
      fr: 'Corriger le champ indiqué (génotypes tels que rendus par le laboratoire, p. ex. *1/*3 et G/A ; INR en rapport, p. ex. 2,4).',
    },
  },
  {
    code: 'DT_FILE',
    severity: 'error',
    area: 'CLI',
    raisedIn: ['cli'],
    title: { en: 'File not readable or already there', fr: 'Fichier illisible ou déjà présent' },
    meaning: {
      en: 'A file named on the command line does not exist or cannot be read, or the output file exists already.',
      fr: 'Un fichier nommé sur la ligne de commande n’existe pas ou ne peut pas être lu, ou le fichier de sortie existe déjà.',
    },
    action: {
      en: 'Check the path; to overwrite an output, add --force or write elsewhere with -o.',
      fr: 'Vérifier le chemin ; pour écraser une sortie, ajouter --force ou écrire ailleurs avec -o.',
    },
  },
  {
    code: 'DT_ARG',
    severity: 'error',
    area: 'CLI',
    raisedIn: ['cli', 'engine'],
    title: { en: 'Invalid option', fr: 'Option invalide' },
    meaning: {
      en: 'A command-line option, or an option given to the engine (such as the prior weight), is missing, malformed or out of range, or conflicts with another.',
      fr: 'Une option de la ligne de commande, ou une option passée au moteur (comme le poids de l’a priori), est absente, mal formée, hors limites, ou incompatible avec une autre.',
    },
    action: {
      en: "Correct the option named; 'dosetwin <command> --help' gives each option's form.",
      fr: 'Corriger l’option indiquée ; « dosetwin <commande> --help » donne la forme de chaque option.',
    },
  },
  // ------------------------------------------------------------------ units
  {
    code: 'DT_UNIT_UNKNOWN',
    severity: 'error',
    area: 'units',
    raisedIn: ['engine'],
    title: { en: 'Unknown unit', fr: 'Unité inconnue' },
    meaning: {
      en: "A unit is not in dosetwin's unit table.",
      fr: 'Une unité ne figure pas dans la table des unités de dosetwin.',
    },
    action: {
      en: 'Write the unit as the table does (the hint lists them: mg, ug, g, mg/L, ug/L, ng/mL, h, min, d…).',
      fr: 'Écrire l’unité comme dans la table (l’indication les liste : mg, ug, g, mg/L, ug/L, ng/mL, h, min, d…).',
    },
  },
  {
    code: 'DT_UNIT_INCOMPATIBLE',
    severity: 'error',
    area: 'units',
    raisedIn: ['engine', 'server'],
    title: { en: 'Incompatible unit', fr: 'Unité incompatible' },
    meaning: {
      en: 'A value is given in a unit that cannot be converted to the one needed (a mass where a concentration is expected, or a unit a covariate is not entered in).',
      fr: 'Une valeur est donnée dans une unité qui ne peut pas être convertie dans celle attendue (une masse au lieu d’une concentration, ou une unité dans laquelle la covariable ne se saisit pas).',
    },
    action: {
      en: 'Give the value in one of the units listed in the hint.',
      fr: 'Donner la valeur dans l’une des unités listées dans l’indication.',
    },
  },
  {
    code: 'DT_UNIT_MOLAR',
    severity: 'error',
    area: 'units',
    raisedIn: ['server'],
    title: { en: 'Molar concentration', fr: 'Concentration molaire' },
    meaning: {
      en: 'A drug concentration is given in mol/L (µmol/L, nmol/L…); dosetwin takes drug concentrations as mass per volume.',
      fr: 'Une concentration de médicament est donnée en mol/L (µmol/L, nmol/L…) ; dosetwin attend des concentrations massiques (masse par volume).',
    },
    action: {
      en: 'Convert with the molar mass on the laboratory report and enter the level in µg/L, ng/mL or mg/L.',
      fr: 'Convertir avec la masse molaire indiquée sur le compte rendu du laboratoire et saisir la concentration en µg/L, ng/mL ou mg/L.',
    },
  },
  // ------------------------------------------------------------------ covariates
  {
    code: 'DT_COVARIATE_MISSING',
    severity: 'error',
    area: 'covariates',
    raisedIn: ['models', 'server'],
    title: { en: 'Covariate missing', fr: 'Covariable manquante' },
    meaning: {
      en: 'The model needs a covariate that is neither given nor derivable from those given (for example a creatinine clearance without the serum creatinine).',
      fr: 'Le modèle a besoin d’une covariable qui n’est ni fournie ni calculable à partir de celles fournies (par exemple une clairance de la créatinine sans la créatininémie).',
    },
    action: {
      en: 'Enter the covariate, or the inputs the message names (weight, serum creatinine, age, sex…).',
      fr: 'Saisir la covariable, ou les données que cite le message (poids, créatininémie, âge, sexe…).',
    },
  },
  {
    code: 'DT_COVARIATE_DEFAULT',
    severity: 'warning',
    area: 'covariates',
    raisedIn: ['engine', 'models'],
    title: {
      en: "Covariate missing: model's default used",
      fr: 'Covariable manquante : valeur par défaut du modèle',
    },
    meaning: {
      en: "A covariate is missing and the model's default value is used in its place (for example an unknown genotype taken as the most frequent one, or the median albumin of the study).",
      fr: 'Une covariable manque et la valeur par défaut du modèle la remplace (par exemple un génotype inconnu pris comme le plus fréquent, ou l’albuminémie médiane de l’étude).',
    },
    action: {
      en: "Enter the patient's value if it is known: the default describes a typical patient, not this one.",
      fr: 'Saisir la valeur du patient si elle est connue : la valeur par défaut décrit un patient typique, pas celui-ci.',
    },
  },
  {
    code: 'DT_COVARIATE_UNIT',
    severity: 'error',
    area: 'covariates',
    raisedIn: ['models'],
    title: { en: 'Covariate unit not convertible', fr: 'Unité de covariable non convertible' },
    meaning: {
      en: "A covariate is given in a unit that cannot be converted to the model's unit.",
      fr: 'Une covariable est donnée dans une unité qui ne peut pas être convertie dans celle du modèle.',
    },
    action: {
      en: 'Give the covariate in the unit the hint names.',
      fr: 'Donner la covariable dans l’unité indiquée.',
    },
  },
  {
    code: 'DT_COVARIATE_UNKNOWN',
    severity: 'error',
    area: 'covariates',
    raisedIn: ['server'],
    title: { en: 'Unknown covariate', fr: 'Covariable inconnue' },
    meaning: {
      en: 'A covariate sent to the service is not in the covariate register.',
      fr: 'Une covariable envoyée au service ne figure pas dans le registre des covariables.',
    },
    action: {
      en: 'Use a name of the register (the hint lists them: WT, HT, AGE, SEX, SCR…).',
      fr: 'Utiliser un nom du registre (l’indication les liste : WT, HT, AGE, SEX, SCR…).',
    },
  },
  {
    code: 'DT_COVARIATE_IMPLAUSIBLE',
    severity: 'error',
    area: 'covariates',
    raisedIn: ['models'],
    title: { en: 'Implausible covariate value', fr: 'Valeur de covariable invraisemblable' },
    meaning: {
      en: 'A covariate value is outside the physiological limits of the covariate register, is not one of its codes (SEX is 0 = male, 1 = female), or is in a unit it is not entered in (or the name is not in the register): an entry error rather than an unusual patient.',
      fr: 'Une valeur de covariable sort des limites physiologiques du registre des covariables, n’est pas l’un de ses codes (SEX vaut 0 = homme, 1 = femme), ou est dans une unité non admise (ou le nom est absent du registre) : erreur de saisie plutôt que patient atypique.',
    },
    action: {
      en: 'Check the value and its unit (is the serum creatinine in µmol/L or mg/dL? the weight in kg?) and enter it again.',
      fr: 'Vérifier la valeur et son unité (créatininémie en µmol/L ou en mg/dL ? poids en kg ?) puis la saisir de nouveau.',
    },
  },
  {
    code: 'DT_DOMAIN_OUTSIDE',
    severity: 'warning',
    area: 'covariates',
    raisedIn: ['engine', 'models'],
    title: { en: "Outside the model's validity domain", fr: 'Hors du domaine de validité du modèle' },
    meaning: {
      en: 'A covariate of the patient lies outside the range of the population the model was developed in: predictions are an extrapolation.',
      fr: 'Une covariable du patient sort de l’intervalle de la population dans laquelle le modèle a été développé : les prédictions sont une extrapolation.',
    },
    action: {
      en: 'Prefer a model developed for this patient (model averaging can leave such models out); otherwise interpret the result with caution.',
      fr: 'Préférer un modèle développé pour ce patient (la moyenne de modèles peut écarter ces modèles) ; sinon, interpréter le résultat avec prudence.',
    },
  },
  // ------------------------------------------------------------------ the clinical policy for records
  {
    code: 'DT_SAMPLE_BEFORE_DOSE',
    severity: 'warning',
    area: 'clinical policy',
    raisedIn: ['models', 'server'],
    title: { en: 'Level before the first dose', fr: 'Concentration antérieure à la première dose' },
    meaning: {
      en: 'A level was sampled before the first recorded dose (a residual from an earlier course, or doses not yet entered): it is kept but not used by the analysis.',
      fr: 'Un prélèvement est antérieur à la première dose enregistrée (taux résiduel d’un traitement antérieur, ou doses pas encore saisies) : il est conservé mais l’analyse ne l’utilise pas.',
    },
    action: {
      en: 'Record the doses given before it if there were any; the level is then used.',
      fr: 'Enregistrer les doses administrées avant ce prélèvement s’il y en a eu ; la concentration est alors utilisée.',
    },
  },
  {
    code: 'DT_SAMPLE_BLQ',
    severity: 'warning',
    area: 'clinical policy',
    raisedIn: ['models'],
    title: { en: 'Level below the LLOQ', fr: 'Concentration inférieure à la LIQ' },
    meaning: {
      en: "A level is below the lower limit of quantification: it is used as censored (the probability of being below the LLOQ, Beal's M3 method), not as a value.",
      fr: 'Une concentration est inférieure à la limite inférieure de quantification : elle est prise en compte comme censurée (probabilité d’être sous la LIQ, méthode M3 de Beal), et non comme une valeur.',
    },
    action: {
      en: 'Nothing to do; a level above the LLOQ, if one is drawn, informs the fit more.',
      fr: 'Rien à faire ; un prélèvement au-dessus de la LIQ, s’il est réalisé, informera davantage l’estimation.',
    },
  },
  {
    code: 'DT_COVARIATE_CARRIED_BACK',
    severity: 'warning',
    area: 'clinical policy',
    raisedIn: ['models'],
    title: { en: 'Covariate carried back to the first dose', fr: 'Covariable reportée à la première dose' },
    meaning: {
      en: 'A covariate was first recorded after the first dose (for example a serum creatinine measured the next morning): its first value is used from the first dose.',
      fr: 'Une covariable a été enregistrée pour la première fois après la première dose (par exemple une créatininémie mesurée le lendemain matin) : sa première valeur est utilisée dès la première dose.',
    },
    action: {
      en: 'Record an earlier value if one exists and the covariate changed meanwhile.',
      fr: 'Enregistrer une valeur plus ancienne si elle existe et que la covariable a changé entre-temps.',
    },
  },
  {
    code: 'DT_COVARIATE_DEFAULT_BEFORE',
    severity: 'warning',
    area: 'clinical policy',
    raisedIn: ['models'],
    title: {
      en: "Model's default before the first recording",
      fr: 'Valeur par défaut du modèle avant le premier enregistrement',
    },
    meaning: {
      en: 'A covariate was first recorded after the first dose and the model has a default for it: the default applies before that time, the recorded value after.',
      fr: 'Une covariable a été enregistrée pour la première fois après la première dose et le modèle prévoit une valeur par défaut : celle-ci s’applique avant cette date, la valeur enregistrée ensuite.',
    },
    action: {
      en: 'Record the value at the start of treatment if it is known.',
      fr: 'Enregistrer la valeur en début de traitement si elle est connue.',
    },
  },
  // ------------------------------------------------------------------ simulation
  {
    code: 'DT_PARAM_DOMAIN',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine'],
    title: { en: 'Parameter out of its domain', fr: 'Paramètre hors de son domaine' },
    meaning: {
      en: 'An individual parameter takes a value the simulation cannot use: a volume ≤ 0, a negative clearance or rate constant, a negative or infinite bioavailability, lag time or infusion rate.',
      fr: 'Un paramètre individuel prend une valeur inutilisable par la simulation : volume ≤ 0, clairance ou constante de vitesse négative, biodisponibilité, temps de latence ou débit de perfusion négatif ou infini.',
    },
    action: {
      en: "Check the covariates (an extreme value can drive a parameter negative) and the model's equations for that parameter.",
      fr: 'Vérifier les covariables (une valeur extrême peut rendre un paramètre négatif) et les équations du modèle pour ce paramètre.',
    },
  },
  {
    code: 'DT_PRED_NONFINITE',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine'],
    title: { en: 'Prediction not a number', fr: 'Prédiction non numérique' },
    meaning: {
      en: 'The model predicts an infinite or undefined concentration at an observation (a division by zero, the logarithm of 0…).',
      fr: 'Le modèle prédit une concentration infinie ou indéfinie pour une observation (division par zéro, logarithme de 0…).',
    },
    action: {
      en: "Check the parameters (a zero volume?) and the model's equations at the time given.",
      fr: 'Vérifier les paramètres (un volume nul ?) et les équations du modèle au temps indiqué.',
    },
  },
  {
    code: 'DT_ODE_NONFINITE',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine'],
    title: { en: 'Differential equations diverge', fr: 'Divergence des équations différentielles' },
    meaning: {
      en: "The model's differential equations give an infinite or undefined value (division by zero, logarithm of a negative number, overflow).",
      fr: 'Les équations différentielles du modèle donnent une valeur infinie ou indéfinie (division par zéro, logarithme d’un nombre négatif, dépassement de capacité).',
    },
    action: {
      en: "Check the model's equations and the patient's parameters near the time given.",
      fr: 'Vérifier les équations du modèle et les paramètres du patient autour du temps indiqué.',
    },
  },
  {
    code: 'DT_ODE_STEPS',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine'],
    title: { en: 'Differential equations not solved', fr: 'Équations différentielles non résolues' },
    meaning: {
      en: 'The solver needed too many steps, or steps too small, to integrate the model (a stiff or singular system, or tolerances too tight).',
      fr: 'Le solveur a eu besoin de trop de pas, ou de pas trop petits, pour intégrer le modèle (système raide ou singulier, ou tolérances trop strictes).',
    },
    action: {
      en: "Loosen the tolerances, raise the step limit, or use the stiff solver; check the model's equations.",
      fr: 'Relâcher les tolérances, augmenter le nombre de pas permis, ou utiliser le solveur pour systèmes raides ; vérifier les équations du modèle.',
    },
  },
  {
    code: 'DT_ODE_ARGS',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine'],
    title: { en: 'Invalid solver settings', fr: 'Réglages du solveur invalides' },
    meaning: {
      en: 'The differential-equation solver was called with invalid settings (tolerances, step limits, state size, time span).',
      fr: 'Le solveur d’équations différentielles a été appelé avec des réglages invalides (tolérances, limites de pas, taille de l’état, intervalle de temps).',
    },
    action: {
      en: 'Correct the setting named; from the CLI or the service this is a fault of dosetwin: report it.',
      fr: 'Corriger le réglage indiqué ; depuis la ligne de commande ou le service, c’est un défaut de dosetwin : le signaler.',
    },
  },
  {
    code: 'DT_SS_NONCONVERGENCE',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine'],
    title: { en: 'Steady state not reached', fr: 'État d’équilibre non atteint' },
    meaning: {
      en: 'A steady-state dose record (SS) did not reach steady state within the maximum number of dosing intervals, as happens when a non-linear model is dosed faster than it can eliminate.',
      fr: 'Un enregistrement de dose à l’équilibre (SS) n’a pas atteint l’état d’équilibre dans le nombre maximal d’intervalles, comme lorsqu’un modèle non linéaire reçoit plus que sa capacité d’élimination.',
    },
    action: {
      en: 'Check the dose and interval of that record; with a saturable elimination, a lower dose rate may have a steady state.',
      fr: 'Vérifier la dose et l’intervalle de cet enregistrement ; avec une élimination saturable, un débit de dose plus faible peut avoir un état d’équilibre.',
    },
  },
  {
    code: 'DT_SS_SINGULAR',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine'],
    title: { en: 'No periodic steady state', fr: 'Pas d’état d’équilibre périodique' },
    meaning: {
      en: 'The model has no periodic steady state for this regimen, typically because a compartment has no elimination.',
      fr: 'Le modèle n’a pas d’état d’équilibre périodique pour ce schéma, en général parce qu’un compartiment n’a pas d’élimination.',
    },
    action: {
      en: "Check the model's elimination (clearance > 0) and the patient's parameters.",
      fr: 'Vérifier l’élimination du modèle (clairance > 0) et les paramètres du patient.',
    },
  },
  // ------------------------------------------------------------------ estimation (MAP, the twin)
  {
    code: 'DT_FIT_A_PRIORI',
    severity: 'warning',
    area: 'estimation',
    raisedIn: ['engine'],
    title: {
      en: 'A priori dosing (no usable level)',
      fr: 'Posologie a priori (aucune concentration utilisable)',
    },
    meaning: {
      en: "No usable level: the proposals come from the covariates alone (the typical patient of the model), not from this patient's own pharmacokinetics.",
      fr: 'Aucune concentration utilisable : les propositions reposent sur les seules covariables (le patient typique du modèle), et non sur la pharmacocinétique propre du patient.',
    },
    action: {
      en: 'Measure a level (for example a trough concentration) and analyse again to individualise the dose.',
      fr: 'Réaliser un dosage (par exemple un taux résiduel) et relancer l’analyse pour individualiser la posologie.',
    },
  },
  {
    code: 'DT_MAP_NONCONVERGENCE',
    severity: 'warning',
    area: 'estimation',
    raisedIn: ['engine', 'models'],
    title: { en: 'Bayesian fit did not converge', fr: 'L’estimation bayésienne n’a pas convergé' },
    meaning: {
      en: "The maximum a posteriori (MAP) estimation of the patient's parameters did not converge: the individual parameters, and the doses proposed from them, are uncertain.",
      fr: 'L’estimation bayésienne (maximum a posteriori, MAP) des paramètres du patient n’a pas convergé : les paramètres individuels, et les posologies qui en découlent, sont incertains.',
    },
    action: {
      en: 'Check the dose history and the sampling times (a wrong time is the usual cause); compare with another model of the drug.',
      fr: 'Vérifier l’historique des doses et les heures de prélèvement (une heure erronée en est la cause habituelle) ; comparer avec un autre modèle du médicament.',
    },
  },
  {
    code: 'DT_MAP_MULTIMODAL',
    severity: 'warning',
    area: 'estimation',
    raisedIn: ['engine'],
    title: { en: 'Two plausible sets of parameters', fr: 'Deux jeux de paramètres plausibles' },
    meaning: {
      en: 'The posterior has another mode almost as likely as the fit: the data do not decide between two sets of individual parameters.',
      fr: 'La distribution a posteriori a un autre mode presque aussi vraisemblable que l’estimation : les données ne tranchent pas entre deux jeux de paramètres individuels.',
    },
    action: {
      en: 'Compare the forecasts under both; a level at a time that separates them (for example a peak and a trough) resolves it.',
      fr: 'Comparer les prévisions sous les deux ; un prélèvement à un temps qui les distingue (par exemple un pic et un taux résiduel) lève l’ambiguïté.',
    },
  },
  {
    code: 'DT_POPFIT_NOT_CONVERGED',
    severity: 'warning',
    area: 'estimation',
    raisedIn: ['engine'],
    title: { en: 'Population fit not converged', fr: 'Ajustement de population non convergé' },
    meaning: {
      en: 'The population estimation (FOCE-I or SAEM) stopped before meeting its convergence test, or a subject has no finite objective at the estimates: the estimates may not be the maximum of the likelihood.',
      fr: 'L’estimation de population (FOCE-I ou SAEM) s’est arrêtée avant son critère de convergence, ou un sujet n’a pas d’objectif fini aux estimations : celles-ci peuvent ne pas maximiser la vraisemblance.',
    },
    action: {
      en: 'Start from other initial values in the model, allow more iterations, or simplify the model; check the subject named in the data.',
      fr: 'Partir d’autres valeurs initiales dans le modèle, autoriser plus d’itérations ou simplifier le modèle ; vérifier les données du sujet indiqué.',
    },
  },
  {
    code: 'DT_POPFIT_COVARIANCE',
    severity: 'warning',
    area: 'estimation',
    raisedIn: ['engine'],
    title: { en: 'No standard errors', fr: 'Pas d’erreurs standard' },
    meaning: {
      en: 'The covariance step of the population fit failed (the Hessian of the objective is not positive definite at the estimates): the estimates are given without standard errors.',
      fr: 'L’étape de covariance de l’ajustement de population a échoué (la hessienne de l’objectif n’est pas définie positive aux estimations) : les estimations sont données sans erreurs standard.',
    },
    action: {
      en: 'Look for a parameter the data cannot identify (a variance near zero, two correlated parameters); fix it or simplify the model.',
      fr: 'Chercher un paramètre que les données ne permettent pas d’identifier (une variance proche de zéro, deux paramètres corrélés) ; le fixer ou simplifier le modèle.',
    },
  },
  {
    code: 'DT_POPFIT_SAEM_MODEL',
    severity: 'error',
    area: 'estimation',
    raisedIn: ['engine'],
    title: { en: 'Model not fitted by SAEM', fr: 'Modèle non ajusté par SAEM' },
    meaning: {
      en: 'SAEM estimates each fixed effect as the mean of individual parameters written P = θ·exp(η) (or exp(θ + η), θ + η), with additive, proportional or exponential residual errors; this model has an eta, a fixed effect or a residual error (or censored observations) outside that form.',
      fr: 'SAEM estime chaque effet fixe comme la moyenne de paramètres individuels écrits P = θ·exp(η) (ou exp(θ + η), θ + η), avec une erreur résiduelle additive, proportionnelle ou exponentielle ; ce modèle a un eta, un effet fixe ou une erreur résiduelle (ou des observations censurées) hors de cette forme.',
    },
    action: {
      en: 'Fit it with FOCE-I (--method focei), which fits any model, or rewrite the parameter as the message says.',
      fr: 'L’ajuster par FOCE-I (--method focei), qui ajuste tout modèle, ou réécrire le paramètre comme l’indique le message.',
    },
  },
  {
    code: 'DT_FEDERATE_TOO_FEW_PATIENTS',
    severity: 'error',
    area: 'estimation',
    raisedIn: ['engine'],
    title: { en: 'Too few patients on a node', fr: 'Trop peu de patients sur un nœud' },
    meaning: {
      en: 'A federated fitting node sends only sums over its patients, and never a sum over fewer patients than its minimum (5 unless its operator set another): this node has fewer, so it sent nothing.',
      fr: 'Un nœud d’ajustement fédéré n’envoie que des sommes sur ses patients, jamais une somme sur moins de patients que son minimum (5 sauf réglage de son exploitant) : ce nœud en a moins, il n’a rien envoyé.',
    },
    action: {
      en: 'Run the fit without this node, pool its patients with another node of the same hospital, or lower its --min-patients if the hospital’s data protection officer allows it.',
      fr: 'Faire l’ajustement sans ce nœud, regrouper ses patients avec un autre nœud du même hôpital, ou abaisser son --min-patients si le délégué à la protection des données de l’hôpital l’autorise.',
    },
  },
  {
    code: 'DT_FEDERATE_MESSAGE',
    severity: 'error',
    area: 'estimation',
    raisedIn: ['engine', 'cli'],
    title: { en: 'Federated message refused', fr: 'Message fédéré refusé' },
    meaning: {
      en: 'A federated fitting node received a request it cannot answer: a run it does not hold (it restarted, or the run was closed), a missing field, or an unknown call.',
      fr: 'Un nœud d’ajustement fédéré a reçu une requête à laquelle il ne peut répondre : une exécution qu’il ne détient pas (il a redémarré, ou l’exécution a été close), un champ manquant, ou un appel inconnu.',
    },
    action: {
      en: 'Start the fit again from the coordinator (dosetwin federate run); check that the coordinator and the nodes run the same dosetwin version.',
      fr: 'Relancer l’ajustement depuis le coordinateur (dosetwin federate run) ; vérifier que le coordinateur et les nœuds ont la même version de dosetwin.',
    },
  },
  {
    code: 'DT_FEDERATE_AUTH',
    severity: 'error',
    area: 'estimation',
    raisedIn: ['cli'],
    title: { en: 'Node credentials refused', fr: 'Identifiants du nœud refusés' },
    meaning: {
      en: 'A federated fitting node answers only a coordinator presenting its bearer token; the token of the request was missing or wrong, and the node answered nothing else.',
      fr: 'Un nœud d’ajustement fédéré ne répond qu’au coordinateur qui présente son jeton ; le jeton de la requête manquait ou était faux, et le nœud n’a rien répondu d’autre.',
    },
    action: {
      en: 'Put the node’s token (the --token it was started with) in the nodes file, as token or through tokenEnv.',
      fr: 'Mettre le jeton du nœud (le --token avec lequel il a été lancé) dans le fichier des nœuds, en token ou par tokenEnv.',
    },
  },
  {
    code: 'DT_FEDERATE_NODE_EXCLUDED',
    severity: 'warning',
    area: 'estimation',
    raisedIn: ['engine'],
    title: { en: 'Node excluded from the fit', fr: 'Nœud exclu de l’ajustement' },
    meaning: {
      en: 'A node of a federated fit could not be reached after the retries, or refused a request: the fit was run again from its first iteration on the other nodes’ patients only.',
      fr: 'Un nœud d’un ajustement fédéré n’a pu être joint après les nouvelles tentatives, ou a refusé une requête : l’ajustement a été refait depuis sa première itération sur les patients des autres nœuds seulement.',
    },
    action: {
      en: 'Read the reason in the run’s report and the wire log; the estimates describe the patients of the nodes used, not those of the excluded node.',
      fr: 'Lire la raison dans le rapport de l’exécution et le journal des échanges ; les estimations décrivent les patients des nœuds utilisés, pas ceux du nœud exclu.',
    },
  },
  {
    code: 'DT_FEDERATE_NO_NODES',
    severity: 'error',
    area: 'estimation',
    raisedIn: ['engine'],
    title: { en: 'No node left to fit', fr: 'Plus aucun nœud pour l’ajustement' },
    meaning: {
      en: 'Every node of the federated fit was excluded (unreachable, refusing, or under its minimum of patients), or fewer than 2 patients remain.',
      fr: 'Tous les nœuds de l’ajustement fédéré ont été exclus (injoignables, refusant, ou sous leur minimum de patients), ou il reste moins de 2 patients.',
    },
    action: {
      en: 'Check that the nodes run (dosetwin federate node), that their addresses and tokens in the nodes file match, and each node’s reason in the run’s report.',
      fr: 'Vérifier que les nœuds tournent (dosetwin federate node), que leurs adresses et jetons dans le fichier des nœuds correspondent, et la raison de chaque nœud dans le rapport de l’exécution.',
    },
  },
  {
    code: 'DT_FEDERATE_MODEL',
    severity: 'error',
    area: 'estimation',
    raisedIn: ['cli'],
    title: { en: 'Model not served by the node', fr: 'Modèle non servi par le nœud' },
    meaning: {
      en: 'A federated fitting node reading the service’s database serves the patients of one library model (or of one drug’s models); the coordinator sent another model, whose units and covariates the node cannot map its records to, so it sent nothing.',
      fr: 'Un nœud d’ajustement fédéré qui lit la base du service sert les patients d’un modèle de la bibliothèque (ou des modèles d’un médicament) ; le coordinateur a envoyé un autre modèle, vers les unités et covariables duquel le nœud ne peut convertir ses dossiers, il n’a donc rien envoyé.',
    },
    action: {
      en: 'Run the fit with a model file whose id is the node’s (--model-id, or a model of its --drug), or start the node for the coordinator’s model.',
      fr: 'Lancer l’ajustement avec un fichier de modèle dont l’identifiant est celui du nœud (--model-id, ou un modèle de son --drug), ou démarrer le nœud pour le modèle du coordinateur.',
    },
  },
  {
    code: 'DT_LEVEL_IMPLAUSIBLE',
    severity: 'warning',
    area: 'estimation',
    raisedIn: ['engine', 'models'],
    title: { en: 'Level far from the fit', fr: 'Concentration éloignée de l’ajustement' },
    meaning: {
      en: "A measured level is more than 3-fold above or below the patient's fitted curve, or more than 3 residual standard deviations from it: the fit does not explain it. A signature must acknowledge it.",
      fr: 'Une concentration mesurée est plus de 3 fois au-dessus ou au-dessous de la courbe ajustée du patient, ou s’en écarte de plus de 3 écarts-types résiduels : l’ajustement ne l’explique pas. La signature doit en prendre acte.',
    },
    action: {
      en: 'Check the sampling time, the dose times and amounts, and the sample (drawn from the infusion line? during the infusion?).',
      fr: 'Vérifier l’heure du prélèvement, les heures et les quantités des doses, et le prélèvement lui-même (fait sur la voie de perfusion ? pendant la perfusion ?).',
    },
  },
  {
    code: 'DT_AT_IOV',
    severity: 'warning',
    area: 'estimation',
    raisedIn: ['engine'],
    title: { en: 'Inter-occasion effects taken as 0', fr: 'Effets inter-occasion pris égaux à 0' },
    meaning: {
      en: 'The objective was evaluated at given etas (a table of one value per eta): the inter-occasion etas cannot be given per occasion that way and are taken as 0.',
      fr: 'La fonction objectif a été évaluée en des etas fournis (une valeur par eta) : les etas inter-occasion ne peuvent pas y être donnés occasion par occasion et sont pris égaux à 0.',
    },
    action: {
      en: "Nothing to do when comparing with a tool that does the same (NONMEM's MAXEVAL=0 with $ETAS); fit the patient ('dosetwin fit') for the etas of each occasion.",
      fr: 'Rien à faire pour une comparaison avec un outil qui procède de même (NONMEM, MAXEVAL=0 avec $ETAS) ; ajuster le patient (« dosetwin fit ») pour obtenir les etas de chaque occasion.',
    },
  },
  // ------------------------------------------------------------------ dosing: targets, regimens, forecasts
  {
    code: 'DT_TARGET',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['engine', 'models'],
    title: { en: 'Invalid or missing target', fr: 'Cible invalide ou absente' },
    meaning: {
      en: 'A target cannot be read, none is given and the model has no default, or a MIC-based target is given without the MIC.',
      fr: 'Une cible ne peut pas être lue, aucune n’est donnée alors que le modèle n’en a pas par défaut, ou une cible fondée sur la CMI est donnée sans la CMI.',
    },
    action: {
      en: "Write the target as e.g. 'auc24=400..600 mg*h/L', 'trough<=2.5 mg/L' or 'ft_mic>=100 %', and give the MIC for a MIC-based target.",
      fr: 'Écrire la cible par exemple « auc24=400..600 mg*h/L », « trough<=2.5 mg/L » ou « ft_mic>=100 % », et donner la CMI pour une cible fondée sur la CMI.',
    },
  },
  {
    code: 'DT_REGIMEN_SPACE',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['engine'],
    title: { en: 'Invalid set of regimens to search', fr: 'Ensemble de schémas à explorer invalide' },
    meaning: {
      en: 'The regimens to choose from cannot be searched: an interval, infusion duration or strength ≤ 0, a start time not finite, several start times judged at steady state, or a fixed loading dose together with a loading target.',
      fr: 'Les schémas parmi lesquels choisir ne peuvent pas être explorés : intervalle, durée de perfusion ou dosage unitaire ≤ 0, heure de début non finie, plusieurs heures de début jugées à l’équilibre, ou dose de charge fixe donnée avec une cible de charge.',
    },
    action: {
      en: 'Correct the option named in the message (intervals, durations, strengths, start times, loading).',
      fr: 'Corriger l’option indiquée dans le message (intervalles, durées, dosages unitaires, heures de début, dose de charge).',
    },
  },
  {
    code: 'DT_ANALYSIS_START',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['models'],
    title: { en: 'Invalid start of the new regimen', fr: 'Début du nouveau schéma invalide' },
    meaning: {
      en: 'The start of the new regimen is before the last record, or both a start time and a level to wait for were given.',
      fr: 'Le début du nouveau schéma est antérieur au dernier enregistrement, ou une heure de début et un seuil de concentration à attendre ont été donnés ensemble.',
    },
    action: {
      en: 'Give a start after the last recorded dose or level, or the level to wait for, not both.',
      fr: 'Donner un début postérieur à la dernière dose ou au dernier prélèvement enregistré, ou bien le seuil à attendre, mais pas les deux.',
    },
  },
  {
    code: 'DT_NO_CANDIDATE',
    severity: 'warning',
    area: 'dosing',
    raisedIn: ['engine'],
    title: { en: 'No regimen within the limits', fr: 'Aucun schéma dans les limites' },
    meaning: {
      en: 'No regimen satisfies the limits set (maximum single or daily dose, infusion rate and duration, available strengths).',
      fr: 'Aucun schéma ne respecte les limites fixées (dose maximale par prise ou par jour, débit et durée de perfusion, dosages disponibles).',
    },
    action: {
      en: 'Widen the intervals, strengths or dose limits, or review the target.',
      fr: 'Élargir les intervalles, les dosages ou les limites de dose, ou revoir la cible.',
    },
  },
  {
    code: 'DT_DOSE_LIMIT',
    severity: 'warning',
    area: 'dosing',
    raisedIn: ['engine'],
    title: { en: 'Target needs a dose beyond the limits', fr: 'La cible exige une dose hors limites' },
    meaning: {
      en: 'Reaching the target needs a dose (maintenance or loading) outside the allowed minimum and maximum (the single or daily maximum, or what the maximum infusion rate allows within the interval); the regimens proposed stay within the limits and may miss the target.',
      fr: 'Atteindre la cible exige une dose (d’entretien ou de charge) en dehors du minimum et du maximum autorisés (maximum par prise ou par jour, ou ce que le débit maximal de perfusion permet dans l’intervalle) ; les schémas proposés restent dans ces limites et peuvent manquer la cible.',
    },
    action: {
      en: 'Accept a regimen that misses the target, or review the dose limits or the target with the prescriber.',
      fr: 'Accepter un schéma qui manque la cible, ou revoir les limites de dose ou la cible avec le prescripteur.',
    },
  },
  {
    code: 'DT_TARGET_BEYOND_LIMITS',
    severity: 'warning',
    area: 'dosing',
    raisedIn: ['engine'],
    title: { en: 'Target out of reach within the limits', fr: 'Cible hors d’atteinte dans les limites' },
    meaning: {
      en: "No regimen within the products' limits of administration (maximum single, daily or loading dose, infusion rate and duration) meets the most important targets at the individual prediction; the regimens proposed are the closest within the limits.",
      fr: 'Aucun schéma respectant les limites d’administration des produits (dose maximale par prise, par jour ou de charge, débit et durée de perfusion) n’atteint les cibles prioritaires selon la prédiction individuelle ; les schémas proposés sont les plus proches dans ces limites.',
    },
    action: {
      en: 'Choose among the regimens proposed knowing they miss the target, or review the target, the interval or another treatment with the prescriber.',
      fr: 'Choisir parmi les schémas proposés en sachant qu’ils manquent la cible, ou revoir la cible, l’intervalle ou un autre traitement avec le prescripteur.',
    },
  },
  {
    code: 'DT_LIMIT_WEIGHT',
    severity: 'warning',
    area: 'dosing',
    raisedIn: ['models'],
    title: { en: 'Per-kg limit without a weight', fr: 'Limite par kg sans poids' },
    meaning: {
      en: "A product's maximum is per kg of body weight and no weight is recorded: that maximum could not be applied to the regimens proposed.",
      fr: 'Une dose maximale du produit est exprimée par kg de poids et aucun poids n’est enregistré : ce maximum n’a pas pu être appliqué aux schémas proposés.',
    },
    action: {
      en: "Record the patient's weight and analyse again.",
      fr: 'Enregistrer le poids du patient et relancer l’analyse.',
    },
  },
  {
    code: 'DT_NO_STEADY_STATE',
    severity: 'both',
    area: 'dosing',
    raisedIn: ['engine'],
    title: { en: 'Regimen without a steady state', fr: 'Schéma sans état d’équilibre' },
    meaning: {
      en: "The regimen's dosing rate exceeds the maximal elimination rate of a non-linear model: the exposure grows without bound. Among candidates it is a warning and the regimen is left out; for a regimen asked for, an error.",
      fr: 'Le débit de dose du schéma dépasse la vitesse maximale d’élimination d’un modèle non linéaire : l’exposition croît sans limite. Parmi les propositions, c’est un avertissement et le schéma est écarté ; pour un schéma demandé, une erreur.',
    },
    action: {
      en: 'Lower the dose or lengthen the interval.',
      fr: 'Diminuer la dose ou allonger l’intervalle.',
    },
  },
  {
    code: 'DT_STEADY_STATE',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['engine'],
    title: { en: 'Invalid steady-state fraction', fr: 'Fraction d’équilibre invalide' },
    meaning: {
      en: 'The fraction of steady state used to time its approach (90 % by default) is not between 0 and 1.',
      fr: 'La fraction de l’état d’équilibre utilisée pour en dater l’approche (90 % par défaut) n’est pas comprise entre 0 et 1.',
    },
    action: {
      en: 'Give a fraction strictly between 0 and 1.',
      fr: 'Donner une fraction strictement comprise entre 0 et 1.',
    },
  },
  {
    code: 'DT_NEXT_DOSE',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['engine'],
    title: { en: 'Level does not fall to the threshold', fr: 'La concentration ne descend pas au seuil' },
    meaning: {
      en: 'The time of the next dose after a high level cannot be found: the predicted concentration does not fall to the threshold within the horizon searched, or the threshold is not a concentration > 0.',
      fr: 'L’heure de la prochaine dose après une concentration élevée ne peut pas être trouvée : la concentration prédite ne redescend pas au seuil dans l’horizon exploré, ou le seuil n’est pas une concentration > 0.',
    },
    action: {
      en: 'Check the threshold and its unit; measure a new level later.',
      fr: 'Vérifier le seuil et son unité ; réaliser un nouveau dosage plus tard.',
    },
  },
  {
    code: 'DT_FORECAST',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['engine'],
    title: { en: 'Invalid forecast request', fr: 'Demande de prévision invalide' },
    meaning: {
      en: 'A forecast cannot be computed as asked: times not increasing, quantiles outside 0–1, an empty window, a steady-state window without a regimen, no window for the history alone, or an output the model does not have.',
      fr: 'Une prévision ne peut pas être calculée comme demandé : temps non croissants, quantiles hors de 0–1, fenêtre vide, fenêtre à l’équilibre sans schéma, aucune fenêtre pour l’historique seul, ou sortie absente du modèle.',
    },
    action: {
      en: 'Correct the option named (times, windows, quantiles, regimen).',
      fr: 'Corriger l’option indiquée (temps, fenêtres, quantiles, schéma).',
    },
  },
  {
    code: 'DT_EXPOSURE_WINDOW',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['engine'],
    title: { en: 'Invalid exposure window', fr: 'Fenêtre d’exposition invalide' },
    meaning: {
      en: 'An exposure (AUC, Cmin, Cmax…) was asked over a window whose end is not after its start.',
      fr: 'Une exposition (ASC, Cmin, Cmax…) a été demandée sur une fenêtre dont la fin n’est pas postérieure au début.',
    },
    action: {
      en: 'Give a window with an end after its start.',
      fr: 'Donner une fenêtre dont la fin suit le début.',
    },
  },
  {
    code: 'DT_EXPOSURE_MIC',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['engine'],
    title: { en: 'Invalid MIC', fr: 'CMI invalide' },
    meaning: {
      en: 'The minimum inhibitory concentration given for a MIC-based exposure is not > 0.',
      fr: 'La concentration minimale inhibitrice donnée pour une exposition rapportée à la CMI n’est pas > 0.',
    },
    action: {
      en: "Give the MIC of the patient's isolate (> 0, in the concentration unit).",
      fr: 'Donner la CMI de la souche isolée chez le patient (> 0, dans l’unité de concentration).',
    },
  },
  {
    code: 'DT_EXPOSURE_FU',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['engine', 'models'],
    title: { en: 'Invalid unbound fraction', fr: 'Fraction libre invalide' },
    meaning: {
      en: 'The unbound fraction used for a free-drug exposure is not in (0, 1].',
      fr: 'La fraction libre utilisée pour une exposition en médicament libre n’est pas comprise dans ]0, 1].',
    },
    action: {
      en: 'Give an unbound fraction greater than 0 and at most 1.',
      fr: 'Donner une fraction libre supérieure à 0 et au plus égale à 1.',
    },
  },
  {
    code: 'DT_EXPOSURE_OUTPUT',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['engine'],
    title: { en: 'Unknown model output', fr: 'Sortie du modèle inconnue' },
    meaning: {
      en: 'An exposure was asked for an output (measured concentration) the model does not have.',
      fr: 'Une exposition a été demandée pour une sortie (concentration mesurée) que le modèle n’a pas.',
    },
    action: {
      en: "Ask for one of the model's outputs (the first by default).",
      fr: 'Demander l’une des sorties du modèle (la première par défaut).',
    },
  },
  // ------------------------------------------------------------------ model averaging
  {
    code: 'DT_AVERAGE_EXCLUDED',
    severity: 'warning',
    area: 'averaging',
    raisedIn: ['models'],
    title: { en: 'Model left out of the average', fr: 'Modèle écarté de la moyenne' },
    meaning: {
      en: 'A model of the drug is left out of the model average: a covariate it needs is missing, the patient is outside its validity domain (when so asked), its fit failed, it is for another formulation, or it was not among the models asked for.',
      fr: 'Un modèle du médicament est écarté de la moyenne de modèles : covariable nécessaire manquante, patient hors de son domaine de validité (si demandé), échec de l’ajustement, autre forme galénique, ou modèle non retenu dans la demande.',
    },
    action: {
      en: 'Read the reason; enter the missing covariate if the model should take part.',
      fr: 'Lire la raison ; saisir la covariable manquante si le modèle doit participer.',
    },
  },
  {
    code: 'DT_AVERAGE_NO_MODEL',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['models'],
    title: { en: 'No model can be averaged', fr: 'Aucun modèle utilisable pour la moyenne' },
    meaning: {
      en: 'Every model of the drug was left out, so there is nothing to average; each is named with its reason.',
      fr: 'Tous les modèles du médicament ont été écartés : il n’y a rien à moyenner ; chacun est cité avec sa raison.',
    },
    action: {
      en: 'Enter the missing covariates, or choose a model yourself.',
      fr: 'Saisir les covariables manquantes, ou choisir soi-même un modèle.',
    },
  },
  {
    code: 'DT_AVERAGE_INCOMPARABLE',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['models'],
    title: { en: 'Models not comparable', fr: 'Modèles non comparables' },
    meaning: {
      en: "The models' likelihoods cannot be compared: they measure different things (e.g. whole blood and plasma) or do not read the same observations.",
      fr: 'Les vraisemblances des modèles ne peuvent pas être comparées : ils mesurent des choses différentes (par exemple sang total et plasma) ou ne lisent pas les mêmes observations.',
    },
    action: {
      en: 'Restrict the average to models that measure what the levels are.',
      fr: 'Restreindre la moyenne aux modèles qui mesurent ce que sont les concentrations dosées.',
    },
  },
  {
    code: 'DT_AVERAGE_REGIMEN',
    severity: 'both',
    area: 'averaging',
    raisedIn: ['models'],
    title: { en: 'Regimen not evaluated under every model', fr: 'Schéma non évalué sous tous les modèles' },
    meaning: {
      en: 'A regimen cannot be evaluated under one of the models (no steady state: the regimen is left out, a warning), or the per-model evaluations to combine do not cover the same regimens (an error).',
      fr: 'Un schéma ne peut pas être évalué sous l’un des modèles (pas d’état d’équilibre : le schéma est écarté, avertissement), ou les évaluations par modèle à combiner ne portent pas sur les mêmes schémas (erreur).',
    },
    action: {
      en: 'For the warning, nothing to do (the regimen is not proposed); for the error, evaluate the same regimens under every model.',
      fr: 'Pour l’avertissement, rien à faire (le schéma n’est pas proposé) ; pour l’erreur, évaluer les mêmes schémas sous tous les modèles.',
    },
  },
  {
    code: 'DT_AVERAGE_TARGETS',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['models'],
    title: { en: 'Different targets across models', fr: 'Cibles différentes selon les modèles' },
    meaning: {
      en: 'The per-model evaluations to combine were made against different targets.',
      fr: 'Les évaluations par modèle à combiner ont été faites avec des cibles différentes.',
    },
    action: {
      en: 'Evaluate the same targets under every model.',
      fr: 'Évaluer les mêmes cibles sous tous les modèles.',
    },
  },
  {
    code: 'DT_AVERAGE_TIMES',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['models'],
    title: { en: 'Invalid prediction times', fr: 'Temps de prédiction invalides' },
    meaning: {
      en: 'The times asked for the averaged prediction are not all finite numbers.',
      fr: 'Les temps demandés pour la prédiction moyennée ne sont pas tous des nombres finis.',
    },
    action: {
      en: 'Give finite times, in the time unit of the data.',
      fr: 'Donner des temps finis, dans l’unité de temps des données.',
    },
  },
  {
    code: 'DT_AVERAGE_CRITERION',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['models'],
    title: { en: 'Unknown weighting criterion', fr: 'Critère de pondération inconnu' },
    meaning: {
      en: "The criterion weighting the models is neither 'map' (the MAP objective) nor 'laplace'.",
      fr: 'Le critère de pondération des modèles n’est ni « map » (l’objectif MAP) ni « laplace ».',
    },
    action: {
      en: "Use 'map' or 'laplace'.",
      fr: 'Utiliser « map » ou « laplace ».',
    },
  },
  {
    code: 'DT_AVERAGE_SCHEME',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['engine'],
    title: { en: 'Unknown weighting scheme', fr: 'Schéma de pondération inconnu' },
    meaning: {
      en: "The weighting scheme of the model average is neither 'likelihood' nor 'aic'.",
      fr: 'Le schéma de pondération de la moyenne de modèles n’est ni « likelihood » ni « aic ».',
    },
    action: {
      en: "Use 'likelihood' or 'aic'.",
      fr: 'Utiliser « likelihood » ou « aic ».',
    },
  },
  {
    code: 'DT_AVERAGE_EMPTY',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['engine', 'models'],
    title: { en: 'Nothing to average', fr: 'Rien à moyenner' },
    meaning: {
      en: 'The model average has no model, or no model with a weight above 0.',
      fr: 'La moyenne de modèles ne contient aucun modèle, ou aucun modèle de poids supérieur à 0.',
    },
    action: {
      en: 'Include at least one model whose fit succeeded.',
      fr: 'Inclure au moins un modèle dont l’ajustement a réussi.',
    },
  },
  {
    code: 'DT_AVERAGE_OBJECTIVE',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['engine'],
    title: { en: 'Model fit failed: no weight', fr: 'Échec de l’ajustement : pas de poids' },
    meaning: {
      en: "A model's objective is not a finite number (its fit failed), so it cannot be weighted.",
      fr: 'L’objectif d’un modèle n’est pas un nombre fini (son ajustement a échoué) : il ne peut pas être pondéré.',
    },
    action: {
      en: 'Leave the model out of the average, or check its fit (data, covariates).',
      fr: 'Écarter le modèle de la moyenne, ou vérifier son ajustement (données, covariables).',
    },
  },
  {
    code: 'DT_AVERAGE_PARAMETERS',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['engine'],
    title: { en: 'Number of parameters missing (AIC)', fr: 'Nombre de paramètres manquant (AIC)' },
    meaning: {
      en: 'The AIC weighting needs the number of estimated parameters of each model, and one is missing or not a whole number.',
      fr: 'La pondération par AIC exige le nombre de paramètres estimés de chaque modèle, et l’un est absent ou n’est pas un entier.',
    },
    action: {
      en: "Give each model's number of estimated parameters, or use the likelihood weighting.",
      fr: 'Donner le nombre de paramètres estimés de chaque modèle, ou utiliser la pondération par la vraisemblance.',
    },
  },
  {
    code: 'DT_AVERAGE_SCALE',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['engine'],
    title: { en: 'Objectives on different scales', fr: 'Objectifs sur des échelles différentes' },
    meaning: {
      en: "A model's objective cannot be put on the data's scale: the unit conversion factor is not a finite number > 0, or the model fits the levels on the log scale.",
      fr: 'L’objectif d’un modèle ne peut pas être ramené à l’échelle des données : le facteur de conversion d’unités n’est pas un nombre fini > 0, ou le modèle ajuste les concentrations en échelle logarithmique.',
    },
    action: {
      en: 'Leave that model out of the average.',
      fr: 'Écarter ce modèle de la moyenne.',
    },
  },
  {
    code: 'DT_AVERAGE_SHAPE',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['engine'],
    title: { en: 'Predictions do not line up', fr: 'Prédictions non alignées' },
    meaning: {
      en: 'The models give different numbers of predictions, or the weights do not match the models: they cannot be averaged point by point.',
      fr: 'Les modèles donnent des nombres de prédictions différents, ou les poids ne correspondent pas aux modèles : ils ne peuvent pas être moyennés point par point.',
    },
    action: {
      en: 'Average predictions made at the same times, with one weight per model.',
      fr: 'Moyenner des prédictions faites aux mêmes temps, avec un poids par modèle.',
    },
  },
  {
    code: 'DT_AVERAGE_WEIGHT',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['engine'],
    title: { en: 'Invalid model weights', fr: 'Poids des modèles invalides' },
    meaning: {
      en: 'A model weight is outside [0, 1], or the weights do not sum to 1.',
      fr: 'Un poids de modèle sort de [0, 1], ou la somme des poids ne vaut pas 1.',
    },
    action: {
      en: 'Give weights between 0 and 1 that sum to 1.',
      fr: 'Donner des poids compris entre 0 et 1 dont la somme vaut 1.',
    },
  },
  {
    code: 'DT_AVERAGE_PREDICTION',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['engine'],
    title: { en: 'Prediction not a number', fr: 'Prédiction non numérique' },
    meaning: {
      en: 'A model predicts an infinite or undefined value at one of the points, so it cannot enter the average.',
      fr: 'Un modèle prédit une valeur infinie ou indéfinie en l’un des points : il ne peut pas entrer dans la moyenne.',
    },
    action: {
      en: "Check that model's fit and parameters, or leave it out.",
      fr: 'Vérifier l’ajustement et les paramètres de ce modèle, ou l’écarter.',
    },
  },
  {
    code: 'DT_AVERAGE_PROBABILITY',
    severity: 'error',
    area: 'averaging',
    raisedIn: ['engine'],
    title: { en: 'Invalid probability', fr: 'Probabilité invalide' },
    meaning: {
      en: 'A probability to average (for example a probability of target attainment) is outside [0, 1].',
      fr: 'Une probabilité à moyenner (par exemple une probabilité d’atteinte de la cible) sort de [0, 1].',
    },
    action: {
      en: 'This is a fault of the caller or of dosetwin: report it.',
      fr: 'Il s’agit d’un défaut de l’appelant ou de dosetwin : le signaler.',
    },
  },
  // ------------------------------------------------------------------ machine-learning estimators
  {
    code: 'DT_ML_INPUT',
    severity: 'error',
    area: 'ML',
    raisedIn: ['engine'],
    title: { en: 'Invalid input to the ML estimator', fr: 'Entrée invalide pour l’estimateur ML' },
    meaning: {
      en: 'The data given to the limited-sampling estimator do not fit its design: the wrong number of samples, a time or concentration that is not a number, a dose ≤ 0, a covariate missing or in a unit it cannot read.',
      fr: 'Les données fournies à l’estimateur à prélèvements limités ne correspondent pas à son plan : mauvais nombre de prélèvements, temps ou concentration non numérique, dose ≤ 0, covariable manquante ou dans une unité illisible.',
    },
    action: {
      en: 'Give one level at each design time, with the dose and the covariates the estimator lists, in its units.',
      fr: 'Donner une concentration à chaque temps du plan, avec la dose et les covariables que liste l’estimateur, dans ses unités.',
    },
  },
  {
    code: 'DT_ML_ARTEFACT',
    severity: 'error',
    area: 'ML',
    raisedIn: ['engine'],
    title: { en: 'Invalid estimator file', fr: 'Fichier d’estimateur invalide' },
    meaning: {
      en: 'An estimator file (JSON) is not a dosetwin estimator of the expected format and version, or a field is missing or malformed.',
      fr: 'Un fichier d’estimateur (JSON) n’est pas un estimateur dosetwin au format et à la version attendus, ou un champ est absent ou mal formé.',
    },
    action: {
      en: "Train the estimator again with 'dosetwin ml train', or use the file shipped with the library.",
      fr: 'Entraîner de nouveau l’estimateur avec « dosetwin ml train », ou utiliser le fichier fourni avec la bibliothèque.',
    },
  },
  {
    code: 'DT_ML_RECIPE',
    severity: 'error',
    area: 'ML',
    raisedIn: ['engine'],
    title: { en: 'Invalid training recipe', fr: 'Recette d’entraînement invalide' },
    meaning: {
      en: 'The training recipe of an estimator is invalid (number of virtual patients, seed, data split…).',
      fr: 'La recette d’entraînement d’un estimateur est invalide (nombre de patients virtuels, graine, partage des données…).',
    },
    action: {
      en: 'Correct the field of the recipe named in the message.',
      fr: 'Corriger le champ de la recette indiqué dans le message.',
    },
  },
  {
    code: 'DT_ML_PARAMS',
    severity: 'error',
    area: 'ML',
    raisedIn: ['engine'],
    title: { en: 'Invalid learning settings', fr: 'Réglages d’apprentissage invalides' },
    meaning: {
      en: 'A hyper-parameter of the learner (number of trees, depth, learning rate, ridge penalty…) is out of range.',
      fr: 'Un hyperparamètre de l’algorithme d’apprentissage (nombre d’arbres, profondeur, taux d’apprentissage, pénalité ridge…) est hors limites.',
    },
    action: {
      en: 'Correct the setting named in the message.',
      fr: 'Corriger le réglage indiqué dans le message.',
    },
  },
  {
    code: 'DT_ML_DATA',
    severity: 'error',
    area: 'ML',
    raisedIn: ['engine'],
    title: { en: 'Invalid training data', fr: 'Données d’entraînement invalides' },
    meaning: {
      en: 'The training table has the wrong shape, too few rows, or a value that is not finite.',
      fr: 'La table d’entraînement n’a pas la bonne forme, a trop peu de lignes, ou contient une valeur non finie.',
    },
    action: {
      en: 'Check the virtual patients simulated for training (design, population, models).',
      fr: 'Vérifier les patients virtuels simulés pour l’entraînement (plan, population, modèles).',
    },
  },
  {
    code: 'DT_ML_SINGULAR',
    severity: 'error',
    area: 'ML',
    raisedIn: ['engine'],
    title: { en: 'Collinear features', fr: 'Variables colinéaires' },
    meaning: {
      en: 'The features of the regression are collinear, so it has no unique solution.',
      fr: 'Les variables explicatives de la régression sont colinéaires : elle n’a pas de solution unique.',
    },
    action: {
      en: 'Use a ridge penalty above 0, or drop a redundant feature.',
      fr: 'Utiliser une pénalité ridge supérieure à 0, ou retirer une variable redondante.',
    },
  },
  // Virtual trials (trial/ in the engine, trial.ts in the library, dosetwin trial).
  {
    code: 'DT_TRIAL_SPEC',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine', 'models', 'cli'],
    title: { en: 'Invalid trial specification', fr: 'Spécification d’essai invalide' },
    meaning: {
      en: 'The trial specification is invalid: a number of patients, chunk size, seed or duration out of range, an arm without a valid regimen, a TDM round whose samples are not before its adjustment, no target, a MIC target without a MIC, or strata with edges that do not increase.',
      fr: 'La spécification de l’essai est invalide : nombre de patients, taille de lot, graine ou durée hors limites, bras sans schéma valide, tour de suivi thérapeutique dont les prélèvements ne précèdent pas l’ajustement, aucune cible, cible fondée sur la CMI sans CMI, ou strates dont les bornes ne croissent pas.',
    },
    action: {
      en: 'Correct the field named in the message (see the trial file format in the README).',
      fr: 'Corriger le champ nommé dans le message (voir le format du fichier d’essai dans le README).',
    },
  },
  {
    code: 'DT_TRIAL_MODEL',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine'],
    title: { en: 'Model not usable for this trial', fr: 'Modèle inutilisable pour cet essai' },
    meaning: {
      en: 'The model cannot simulate this trial: its Ω is not positive definite, or a TDM arm needs simulated levels and its residual error is not additive, proportional, combined or exponential.',
      fr: 'Le modèle ne peut pas simuler cet essai : sa matrice Ω n’est pas définie positive, ou un bras avec suivi thérapeutique doit simuler des concentrations et son erreur résiduelle n’est ni additive, ni proportionnelle, ni combinée, ni exponentielle.',
    },
    action: {
      en: 'Choose another model of the drug, or a trial without TDM arm.',
      fr: 'Choisir un autre modèle du médicament, ou un essai sans bras de suivi thérapeutique.',
    },
  },
  {
    code: 'DT_TRIAL_POPULATION',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine'],
    title: { en: 'Virtual patient without a covariate', fr: 'Patient virtuel sans covariable' },
    meaning: {
      en: 'A virtual patient of the trial has a model covariate that is not a finite number: the population does not draw a variable the model needs.',
      fr: 'Un patient virtuel de l’essai a une covariable du modèle qui n’est pas un nombre fini : la population ne tire pas une variable dont le modèle a besoin.',
    },
    action: {
      en: 'Add the variable to the population (a distribution or a column of the covariate table).',
      fr: 'Ajouter la variable à la population (une distribution ou une colonne de la table des covariables).',
    },
  },
  {
    code: 'DT_TRIAL_CHUNK',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine'],
    title: { en: 'No such chunk of the trial', fr: 'Lot de l’essai inexistant' },
    meaning: {
      en: 'A worker was asked for a chunk index the trial does not have.',
      fr: 'Un processus de calcul a reçu un numéro de lot que l’essai n’a pas.',
    },
    action: {
      en: 'Ask for chunks 0 to the number of chunks − 1 (patients ÷ chunk size, rounded up).',
      fr: 'Demander les lots 0 à (nombre de lots − 1) (patients ÷ taille de lot, arrondi au-dessus).',
    },
  },
  {
    code: 'DT_TRIAL_MERGE',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['engine'],
    title: { en: 'Trial results cannot be merged', fr: 'Résultats d’essai impossibles à fusionner' },
    meaning: {
      en: 'Chunk results would be counted twice, come from trials of different shapes, or do not cover every chunk of the trial.',
      fr: 'Des résultats de lots seraient comptés deux fois, viennent d’essais de formes différentes, ou ne couvrent pas tous les lots de l’essai.',
    },
    action: {
      en: 'Merge each chunk of the same trial once; rerun the missing chunks.',
      fr: 'Fusionner une seule fois chaque lot du même essai ; relancer les lots manquants.',
    },
  },
  {
    code: 'DT_TRIAL_QUEUE',
    severity: 'error',
    area: 'simulation',
    raisedIn: ['cli'],
    title: { en: 'Trial queue failed', fr: 'Échec de la file d’attente de l’essai' },
    meaning: {
      en: 'The PostgreSQL job queue of a distributed trial could not be started on the database, or a chunk failed on every attempt.',
      fr: 'La file d’attente PostgreSQL d’un essai réparti n’a pas pu démarrer sur la base, ou un lot a échoué à chaque tentative.',
    },
    action: {
      en: 'Check the database URL and that the account may create schemas; read the chunk’s error in the message and rerun (stored chunks are kept).',
      fr: 'Vérifier l’URL de la base et le droit du compte à créer des schémas ; lire l’erreur du lot dans le message et relancer (les lots déjà calculés sont conservés).',
    },
  },
  {
    code: 'DT_ML_DESIGN',
    severity: 'error',
    area: 'ML',
    raisedIn: ['engine'],
    title: { en: 'Invalid sampling design', fr: 'Plan de prélèvement invalide' },
    meaning: {
      en: 'The sampling design or the models used to simulate training patients are invalid: an interval ≤ 0, no sampling time, no model, a model with several outputs, or a model whose Ω is not positive definite.',
      fr: 'Le plan de prélèvement ou les modèles servant à simuler les patients d’entraînement sont invalides : intervalle ≤ 0, aucun temps de prélèvement, aucun modèle, modèle à plusieurs sorties, ou modèle dont Ω n’est pas définie positive.',
    },
    action: {
      en: 'Correct the design or the model named in the message.',
      fr: 'Corriger le plan ou le modèle indiqué dans le message.',
    },
  },
  {
    code: 'DT_ML_POPULATION',
    severity: 'error',
    area: 'ML',
    raisedIn: ['engine'],
    title: { en: 'Invalid virtual population', fr: 'Population virtuelle invalide' },
    meaning: {
      en: 'The covariate distribution of the virtual population is invalid: an empty or ragged table, a value that is not finite, a parameter out of range, a variable used before it is drawn, or truncation limits that cannot be met.',
      fr: 'La distribution des covariables de la population virtuelle est invalide : table vide ou irrégulière, valeur non finie, paramètre hors limites, variable utilisée avant d’être tirée, ou bornes de troncature impossibles à respecter.',
    },
    action: {
      en: 'Correct the population variable named in the message.',
      fr: 'Corriger la variable de population indiquée dans le message.',
    },
  },
  {
    code: 'DT_ML_SIMULATION',
    severity: 'error',
    area: 'ML',
    raisedIn: ['engine'],
    title: { en: 'Virtual patient not simulated', fr: 'Patient virtuel non simulé' },
    meaning: {
      en: 'A virtual patient has a non-positive AUC or a concentration that is not finite: the simulation for training failed.',
      fr: 'Un patient virtuel a une ASC non positive ou une concentration non finie : la simulation d’entraînement a échoué.',
    },
    action: {
      en: 'Check the covariate population and the model (extreme covariates can make parameters invalid).',
      fr: 'Vérifier la population de covariables et le modèle (des covariables extrêmes peuvent rendre des paramètres invalides).',
    },
  },
  {
    code: 'DT_ML_PRESET',
    severity: 'error',
    area: 'ML',
    raisedIn: ['models'],
    title: { en: 'Model not usable with the preset', fr: 'Modèle incompatible avec le préréglage' },
    meaning: {
      en: "A library model cannot be used with the ML preset: a covariate of the model has no mapping from the preset's clinical covariates, or the units differ.",
      fr: 'Un modèle de la bibliothèque ne peut pas être utilisé avec le préréglage ML : une covariable du modèle n’a pas de correspondance avec les covariables cliniques du préréglage, ou les unités diffèrent.',
    },
    action: {
      en: 'Add the mapping to the preset, or train with another model.',
      fr: 'Ajouter la correspondance au préréglage, ou entraîner avec un autre modèle.',
    },
  },
  // ------------------------------------------------------------------ the service (HTTP)
  {
    code: 'DT_REQUEST',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Invalid request', fr: 'Requête invalide' },
    meaning: {
      en: 'The request does not match the API contract (a field missing, unknown or of the wrong type) or combines fields that do not go together (HTTP 400).',
      fr: 'La requête ne respecte pas le contrat de l’API (champ manquant, inconnu ou de mauvais type) ou associe des champs incompatibles (HTTP 400).',
    },
    action: {
      en: 'Correct the field named; /docs documents every route.',
      fr: 'Corriger le champ indiqué ; /docs documente chaque route.',
    },
  },
  {
    code: 'DT_REQUEST_BODY',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Body not valid JSON', fr: 'Corps de requête non JSON' },
    meaning: {
      en: 'The request body is empty, is not valid JSON, or does not match its Content-Length (HTTP 400).',
      fr: 'Le corps de la requête est vide, n’est pas du JSON valide, ou ne correspond pas à son Content-Length (HTTP 400).',
    },
    action: {
      en: 'Send a JSON object as the body.',
      fr: 'Envoyer un objet JSON comme corps de requête.',
    },
  },
  {
    code: 'DT_REQUEST_VALUE',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Value not acceptable', fr: 'Valeur non acceptable' },
    meaning: {
      en: 'A value sent to the service is well formed but cannot be accepted: an amount or concentration out of range, an infusion without its duration, a duration for a bolus or oral dose, a birth date in the future (HTTP 422).',
      fr: 'Une valeur envoyée au service est bien formée mais ne peut pas être acceptée : quantité ou concentration hors limites, perfusion sans durée, durée pour un bolus ou une prise orale, date de naissance future (HTTP 422).',
    },
    action: {
      en: 'Correct the field named in the issue.',
      fr: 'Corriger le champ indiqué.',
    },
  },
  {
    code: 'DT_REQUEST_TIME',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Invalid date-time', fr: 'Date-heure invalide' },
    meaning: {
      en: 'A clinical time is not an ISO 8601 date-time with a time zone, is in the future, or is before 1900 (HTTP 422).',
      fr: 'Une heure clinique n’est pas une date-heure ISO 8601 avec fuseau horaire, est dans le futur, ou est antérieure à 1900 (HTTP 422).',
    },
    action: {
      en: "Write it as '2026-11-12T08:00+01:00', as it was at the bedside.",
      fr: 'L’écrire sous la forme « 2026-11-12T08:00+01:00 », telle qu’au lit du patient.',
    },
  },
  {
    code: 'DT_AUTH_REQUIRED',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Sign-in required', fr: 'Connexion requise' },
    meaning: {
      en: 'The request carries no valid session: the user is not signed in, or the session has expired (HTTP 401).',
      fr: 'La requête ne porte aucune session valide : l’utilisateur n’est pas connecté, ou sa session a expiré (HTTP 401).',
    },
    action: {
      en: 'Sign in again (POST /api/auth/login) and send the token.',
      fr: 'Se reconnecter (POST /api/auth/login) et envoyer le jeton.',
    },
  },
  {
    code: 'DT_AUTH_FAILED',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Sign-in failed', fr: 'Échec de la connexion' },
    meaning: {
      en: 'Unknown user, wrong password, or deactivated account (HTTP 401).',
      fr: 'Utilisateur inconnu, mot de passe erroné ou compte désactivé (HTTP 401).',
    },
    action: {
      en: 'Check the user name and password; ask an administrator if the account is deactivated.',
      fr: 'Vérifier l’identifiant et le mot de passe ; s’adresser à un administrateur si le compte est désactivé.',
    },
  },
  {
    code: 'DT_AUTH_FORBIDDEN',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Not allowed', fr: 'Action non autorisée' },
    meaning: {
      en: "The user's role or service does not allow this: a prescriber acting on a patient of another service, an administrator reading clinical records, or a route reserved to other roles (HTTP 403).",
      fr: 'Le rôle ou le service de l’utilisateur ne le permet pas : prescripteur agissant sur un patient d’un autre service, administrateur consultant un dossier clinique, ou route réservée à d’autres rôles (HTTP 403).',
    },
    action: {
      en: 'Ask a user with the right role or service (e.g. the pharmacologist for an analysis).',
      fr: 'S’adresser à un utilisateur ayant le rôle ou le service requis (par exemple le pharmacologue pour une analyse).',
    },
  },
  {
    code: 'DT_RATE_LIMIT',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Too many failed sign-ins', fr: 'Trop d’échecs de connexion' },
    meaning: {
      en: 'Too many failed sign-ins for this user or from this address: sign-in is blocked for 15 minutes (HTTP 429).',
      fr: 'Trop d’échecs de connexion pour cet utilisateur ou depuis cette adresse : la connexion est bloquée pendant 15 minutes (HTTP 429).',
    },
    action: {
      en: 'Wait 15 minutes, or ask an administrator to reset the password.',
      fr: 'Attendre 15 minutes, ou demander à un administrateur de réinitialiser le mot de passe.',
    },
  },
  {
    code: 'DT_NOT_FOUND',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Not found', fr: 'Introuvable' },
    meaning: {
      en: 'The patient, request, analysis, user or route asked for does not exist (HTTP 404).',
      fr: 'Le patient, la demande, l’analyse, l’utilisateur ou la route demandé n’existe pas (HTTP 404).',
    },
    action: {
      en: 'Check the identifier or the address.',
      fr: 'Vérifier l’identifiant ou l’adresse.',
    },
  },
  {
    code: 'DT_CONFLICT',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Conflicts with the current state', fr: 'En conflit avec l’état actuel' },
    meaning: {
      en: 'The action does not fit the current state: the request was rejected, a newer version of the analysis exists, or the request has no validated analysis yet (HTTP 409).',
      fr: 'L’action ne correspond pas à l’état actuel : la demande a été refusée, une version plus récente de l’analyse existe, ou la demande n’a pas encore d’analyse validée (HTTP 409).',
    },
    action: {
      en: 'Reload, then act on the latest version (or submit a new request).',
      fr: 'Recharger, puis agir sur la dernière version (ou soumettre une nouvelle demande).',
    },
  },
  {
    code: 'DT_DUPLICATE',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Already recorded', fr: 'Déjà enregistré' },
    meaning: {
      en: 'The same thing is recorded already: a user name, a hospital number, or an administration, level or covariate at the same time (HTTP 409).',
      fr: 'Le même élément est déjà enregistré : identifiant d’utilisateur, numéro hospitalier, ou administration, concentration ou covariable à la même heure (HTTP 409).',
    },
    action: {
      en: 'Check the existing record instead of entering it again.',
      fr: 'Consulter l’enregistrement existant au lieu de le saisir de nouveau.',
    },
  },
  {
    code: 'DT_IMMUTABLE',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Already signed', fr: 'Déjà signée' },
    meaning: {
      en: 'The analysis is already signed and cannot be validated again (HTTP 409).',
      fr: 'L’analyse est déjà signée et ne peut pas être validée de nouveau (HTTP 409).',
    },
    action: {
      en: 'Re-analyse the request to create a new version, and validate that one.',
      fr: 'Relancer l’analyse de la demande pour créer une nouvelle version, puis valider celle-ci.',
    },
  },
  {
    code: 'DT_BODY_TOO_LARGE',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Request too large', fr: 'Requête trop volumineuse' },
    meaning: {
      en: "The request body is larger than the service's limit (HTTP 413).",
      fr: 'Le corps de la requête dépasse la limite du service (HTTP 413).',
    },
    action: {
      en: 'Send less at once (for example the records in several requests).',
      fr: 'Envoyer moins de données à la fois (par exemple les enregistrements en plusieurs requêtes).',
    },
  },
  {
    code: 'DT_MEDIA_TYPE',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Body must be JSON', fr: 'Le corps doit être en JSON' },
    meaning: {
      en: 'The request body is not declared as application/json (HTTP 415).',
      fr: 'Le corps de la requête n’est pas déclaré en application/json (HTTP 415).',
    },
    action: {
      en: 'Send the header Content-Type: application/json.',
      fr: 'Envoyer l’en-tête Content-Type: application/json.',
    },
  },
  {
    code: 'DT_WEB_NOT_BUILT',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Web app not built', fr: 'Application web non construite' },
    meaning: {
      en: 'The service runs without the web app (it is not built): only the API (/api) and its documentation (/docs) answer.',
      fr: 'Le service fonctionne sans l’application web (elle n’est pas construite) : seules l’API (/api) et sa documentation (/docs) répondent.',
    },
    action: {
      en: "Build it ('npm run build -w @dosetwin/web'; 'npm start' builds it and starts the service).",
      fr: 'La construire (« npm run build -w @dosetwin/web » ; « npm start » la construit et démarre le service).',
    },
  },
  {
    code: 'DT_INTERNAL',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server', 'web'],
    title: { en: 'Internal error', fr: 'Erreur interne' },
    meaning: {
      en: 'An unforeseen failure in the service (HTTP 500, logged) or in the computation in the browser: a fault of dosetwin, not of the data.',
      fr: 'Défaillance imprévue du service (HTTP 500, journalisée) ou du calcul dans le navigateur : un défaut de dosetwin, pas des données.',
    },
    action: {
      en: 'Try again; if it persists, report it with the time and what was being done.',
      fr: 'Réessayer ; si le problème persiste, le signaler avec l’heure et l’action en cours.',
    },
  },
  {
    code: 'DT_APPEND_ONLY',
    severity: 'error',
    area: 'storage',
    raisedIn: ['server'],
    title: { en: 'Record cannot be changed', fr: 'Enregistrement non modifiable' },
    meaning: {
      en: 'The database refused to change or delete a row of an append-only table (audit trail, analyses, validations); the service answers it as an internal error.',
      fr: 'La base de données a refusé de modifier ou de supprimer une ligne d’une table en ajout seul (journal d’audit, analyses, validations) ; le service la renvoie comme une erreur interne.',
    },
    action: {
      en: 'Nothing in these tables is ever changed: create a new version instead (a new analysis, a new validation). If the service raised it, report it.',
      fr: 'Rien n’est jamais modifié dans ces tables : créer plutôt une nouvelle version (nouvelle analyse, nouvelle validation). Si le service l’a déclenché, le signaler.',
    },
  },
  // ------------------------------------------------------------------ analyses in the worker pool, the audit trail
  {
    code: 'DT_ANALYSIS_TIMEOUT',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Analysis stopped: too long', fr: 'Analyse arrêtée : trop longue' },
    meaning: {
      en: 'The analysis ran longer than the time limit (60 s by default) and was stopped; the service went on answering meanwhile. An implausible record is the usual cause (a dose of 1e308 mg, a level in the wrong unit).',
      fr: 'L’analyse a duré plus que la limite (60 s par défaut) et a été arrêtée ; le service a continué de répondre entre-temps. Un dossier invraisemblable en est la cause habituelle (une dose de 1e308 mg, une concentration dans la mauvaise unité).',
    },
    action: {
      en: 'Check the doses, levels and times of the record, correct the wrong entry, and analyse again. An administrator may raise the limit (DOSETWIN_ANALYSIS_TIMEOUT_S).',
      fr: 'Vérifier les doses, concentrations et horaires du dossier, corriger la saisie erronée, puis relancer l’analyse. Un administrateur peut relever la limite (DOSETWIN_ANALYSIS_TIMEOUT_S).',
    },
  },
  {
    code: 'DT_ANALYSIS_MEMORY',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Analysis stopped: too much memory', fr: 'Analyse arrêtée : trop de mémoire' },
    meaning: {
      en: 'The analysis needed more memory than its worker is allowed (1024 MB by default) and was stopped; the service itself was not affected.',
      fr: 'L’analyse a demandé plus de mémoire que son processus léger n’en a le droit (1024 Mo par défaut) et a été arrêtée ; le service lui-même n’a pas été touché.',
    },
    action: {
      en: 'Check the record for an implausible number of doses or levels; an administrator may raise the limit (DOSETWIN_ANALYSIS_MEMORY_MB).',
      fr: 'Vérifier que le dossier ne contient pas un nombre invraisemblable de doses ou de concentrations ; un administrateur peut relever la limite (DOSETWIN_ANALYSIS_MEMORY_MB).',
    },
  },
  {
    code: 'DT_ANALYSIS_BUSY',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Too many analyses at once', fr: 'Trop d’analyses à la fois' },
    meaning: {
      en: 'You already have as many analyses running or waiting as one user may (2 by default) (HTTP 429).',
      fr: 'Vous avez déjà autant d’analyses en cours ou en attente qu’un utilisateur peut en avoir (2 par défaut) (HTTP 429).',
    },
    action: {
      en: 'Wait for one of them to finish, then try again.',
      fr: 'Attendre qu’une d’elles se termine, puis réessayer.',
    },
  },
  {
    code: 'DT_SERVICE_BUSY',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Service busy', fr: 'Service occupé' },
    meaning: {
      en: 'Every analysis thread is busy and the queue of waiting analyses is full (HTTP 503).',
      fr: 'Tous les processus d’analyse sont occupés et la file des analyses en attente est pleine (HTTP 503).',
    },
    action: {
      en: 'Try again in a minute; if it lasts, tell the administrator (DOSETWIN_ANALYSIS_THREADS, DOSETWIN_ANALYSIS_QUEUE).',
      fr: 'Réessayer dans une minute ; si cela dure, prévenir l’administrateur (DOSETWIN_ANALYSIS_THREADS, DOSETWIN_ANALYSIS_QUEUE).',
    },
  },
  {
    code: 'DT_AUDIT_BROKEN',
    severity: 'error',
    area: 'storage',
    raisedIn: ['server'],
    title: { en: 'Record integrity broken', fr: 'Intégrité du dossier rompue' },
    meaning: {
      en: 'At start-up, an append-only trigger was missing, disabled or altered, or the audit trail’s hash chain did not verify (a row changed, removed, inserted or written without the service key): the service does not start.',
      fr: 'Au démarrage, un déclencheur d’ajout seul manquait, était désactivé ou modifié, ou la chaîne d’empreintes du journal d’audit ne se vérifiait pas (ligne modifiée, supprimée, insérée ou écrite sans la clé du service) : le service ne démarre pas.',
    },
    action: {
      en: "Someone changed the database outside the service: run 'dosetwin audit verify' to see where, keep the database for the investigation, and restore the last good backup ('dosetwin restore FILE').",
      fr: 'Quelqu’un a modifié la base en dehors du service : lancer « dosetwin audit verify » pour voir où, conserver la base pour l’enquête, et restaurer la dernière sauvegarde saine (« dosetwin restore FICHIER »).',
    },
  },
  // ------------------------------------------------------------------ the web app
  {
    code: 'DT_HTTP',
    severity: 'error',
    area: 'web app',
    raisedIn: ['web'],
    title: {
      en: 'Service unreachable or unexpected answer',
      fr: 'Service injoignable ou réponse inattendue',
    },
    meaning: {
      en: "The web app received an HTTP error without dosetwin's error body (a proxy, the network, or the service being down).",
      fr: 'L’application web a reçu une erreur HTTP sans le corps d’erreur de dosetwin (un proxy, le réseau, ou le service arrêté).',
    },
    action: {
      en: 'Check the connection and that the service is running, then try again.',
      fr: 'Vérifier la connexion et que le service fonctionne, puis réessayer.',
    },
  },
  // ------------------------------------------------------------------ entry plausibility and misfit
  {
    code: 'DT_DOSE_IMPLAUSIBLE',
    severity: 'both',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Implausible dose', fr: 'Dose invraisemblable' },
    meaning: {
      en: "A dose (one administration, per kg of body weight, or over 24 h) lies outside the drug's hard plausibility bounds, or is not a finite number: an entry error (a wrong unit, a slipped digit), not an unusual patient. Entries and decisions are refused; a dataset given to the CLI is fitted with a warning.",
      fr: 'Une dose (une administration, par kg de poids ou sur 24 h) sort des bornes de vraisemblance strictes du médicament, ou n’est pas un nombre fini : erreur de saisie (mauvaise unité, chiffre en trop), pas un patient atypique. Saisies et décisions sont refusées ; un jeu de données donné à la CLI est ajusté avec un avertissement.',
    },
    action: {
      en: 'Check the amount and its unit against the prescription (g or mg? mg or µg?) and enter it again.',
      fr: 'Vérifier la quantité et son unité sur la prescription (g ou mg ? mg ou µg ?) puis la saisir de nouveau.',
    },
  },
  {
    code: 'DT_DOSE_UNUSUAL',
    severity: 'warning',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Unusual dose: to confirm', fr: 'Dose inhabituelle : à confirmer' },
    meaning: {
      en: "A dose lies outside the drug's usual range (per administration, per kg, or over 24 h) while remaining possible. It is recorded only when the request acknowledges this code; the acknowledgement is stored and audited, and an analysis using it asks again before signing.",
      fr: 'Une dose sort de l’intervalle habituel du médicament (par administration, par kg ou sur 24 h) tout en restant possible. Elle n’est enregistrée que si la demande prend acte de ce code ; la prise d’acte est conservée et tracée, et une analyse qui l’utilise la redemande avant la signature.',
    },
    action: {
      en: 'Check the dose; if it is right, confirm it (acknowledge DT_DOSE_UNUSUAL).',
      fr: 'Vérifier la dose ; si elle est juste, la confirmer (prendre acte de DT_DOSE_UNUSUAL).',
    },
  },
  {
    code: 'DT_SAMPLE_IMPLAUSIBLE',
    severity: 'both',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Implausible level', fr: 'Concentration invraisemblable' },
    meaning: {
      en: "A measured level, in the drug's unit, lies outside the drug's hard plausibility bounds or is not a finite number: most often a unit slip (mg/L entered as µg/L).",
      fr: 'Une concentration mesurée, dans l’unité du médicament, sort des bornes de vraisemblance strictes du médicament ou n’est pas un nombre fini : le plus souvent une erreur d’unité (mg/L saisis comme µg/L).',
    },
    action: {
      en: 'Check the value and its unit on the laboratory report and enter it again.',
      fr: 'Vérifier la valeur et son unité sur le compte rendu du laboratoire puis la saisir de nouveau.',
    },
  },
  {
    code: 'DT_SAMPLE_UNUSUAL',
    severity: 'warning',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Unusual level: to confirm', fr: 'Concentration inhabituelle : à confirmer' },
    meaning: {
      en: "A measured level lies outside the drug's usual range (a level in ng/mL read as mg/L is a thousand times too small) while remaining possible. It is recorded only when the request acknowledges this code.",
      fr: 'Une concentration mesurée sort de l’intervalle habituel du médicament (une concentration en ng/mL lue comme mg/L est mille fois trop petite) tout en restant possible. Elle n’est enregistrée que si la demande prend acte de ce code.',
    },
    action: {
      en: 'Check the unit on the laboratory report (ng/mL or mg/L?); if the value is right, confirm it.',
      fr: 'Vérifier l’unité sur le compte rendu du laboratoire (ng/mL ou mg/L ?) ; si la valeur est juste, la confirmer.',
    },
  },
  {
    code: 'DT_ENTRY_BEFORE_BIRTH',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Dated before birth', fr: 'Datée avant la naissance' },
    meaning: {
      en: 'A dose, a level or a covariate is dated before the patient’s birth date: a year mistyped, or a wrong birth date.',
      fr: 'Une dose, une concentration ou une covariable est datée d’avant la date de naissance du patient : année mal saisie, ou date de naissance erronée.',
    },
    action: {
      en: 'Check the year of the entry; if the birth date is wrong, correct the identity.',
      fr: 'Vérifier l’année de la saisie ; si la date de naissance est fausse, corriger l’identité.',
    },
  },
  {
    code: 'DT_ENTRY_OLD',
    severity: 'warning',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Dated more than a year ago: to confirm', fr: 'Datée de plus d’un an : à confirmer' },
    meaning: {
      en: 'A dose, a level or a covariate is dated more than a year ago, most often the previous year typed for this one. It is recorded only when the request acknowledges this code.',
      fr: 'Une dose, une concentration ou une covariable est datée de plus d’un an, le plus souvent l’année précédente saisie pour l’année en cours. Elle n’est enregistrée que si la demande prend acte de ce code.',
    },
    action: {
      en: 'Check the year; if the date is right, confirm it.',
      fr: 'Vérifier l’année ; si la date est juste, la confirmer.',
    },
  },
  {
    code: 'DT_DOSE_REPEATED',
    severity: 'warning',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Same dose close by: to confirm', fr: 'Même dose toute proche : à confirmer' },
    meaning: {
      en: 'A dose of the same amount is already recorded within 90 minutes: most often one dose entered twice (at the planned and at the real time). It is recorded only when the request acknowledges this code.',
      fr: 'Une dose de même quantité est déjà enregistrée à moins de 90 minutes : le plus souvent une même dose saisie deux fois (à l’heure prévue et à l’heure réelle). Elle n’est enregistrée que si la demande prend acte de ce code.',
    },
    action: {
      en: 'If it is the same dose, correct the recorded one’s time instead; if two doses were given, confirm it.',
      fr: 'Si c’est la même dose, corriger plutôt l’heure de celle qui est enregistrée ; si deux doses ont été données, la confirmer.',
    },
  },
  {
    code: 'DT_COVARIATE_UNUSUAL',
    severity: 'warning',
    area: 'covariates',
    raisedIn: ['models'],
    title: { en: 'Unusual covariate: to confirm', fr: 'Covariable inhabituelle : à confirmer' },
    meaning: {
      en: 'A covariate lies outside its usual range in the covariate register (a serum creatinine in mg/dL entered as µmol/L, a weight in g or lb), or weight and height give a body-mass index below 8 or above 80 kg/m2. It is recorded only when the request acknowledges this code.',
      fr: 'Une covariable sort de son intervalle habituel du registre des covariables (créatininémie en mg/dL saisie en µmol/L, poids en g ou en livres), ou le poids et la taille donnent un indice de masse corporelle inférieur à 8 ou supérieur à 80 kg/m2. Elle n’est enregistrée que si la demande prend acte de ce code.',
    },
    action: {
      en: 'Check the value and its unit; the hint suggests the unit it was probably meant in. If it is right, confirm it.',
      fr: 'Vérifier la valeur et son unité ; l’indication propose l’unité probablement voulue. Si elle est juste, la confirmer.',
    },
  },
  {
    code: 'DT_REGIMEN_IMPLAUSIBLE',
    severity: 'both',
    area: 'dosing',
    raisedIn: ['models'],
    title: { en: 'Impossible regimen', fr: 'Schéma impossible' },
    meaning: {
      en: "A dosing interval or infusion duration lies outside the drug's hard bounds (every 1e-300 h, an infusion over 30 days), or an infusion is longer than its interval and would overlap the next one.",
      fr: 'Un intervalle entre les doses ou une durée de perfusion sort des bornes strictes du médicament (toutes les 1e-300 h, une perfusion de 30 jours), ou une perfusion est plus longue que son intervalle et chevaucherait la suivante.',
    },
    action: {
      en: 'Correct the interval or the infusion duration (a continuous infusion lasts exactly its interval).',
      fr: 'Corriger l’intervalle ou la durée de perfusion (une perfusion continue dure exactement son intervalle).',
    },
  },
  {
    code: 'DT_REGIMEN_UNUSUAL',
    severity: 'warning',
    area: 'dosing',
    raisedIn: ['models'],
    title: {
      en: 'Unusual interval or infusion: to confirm',
      fr: 'Intervalle ou perfusion inhabituels : à confirmer',
    },
    meaning: {
      en: "A dosing interval or infusion duration lies outside the drug's usual range or its products' infusion durations, or an infusion runs faster than the label's maximum rate (vancomycin: 10 mg/min). It is recorded only when the request acknowledges this code.",
      fr: 'Un intervalle entre les doses ou une durée de perfusion sort de l’intervalle habituel du médicament ou des durées de perfusion de ses produits, ou une perfusion est plus rapide que le débit maximal du résumé des caractéristiques (vancomycine : 10 mg/min). Elle n’est enregistrée que si la demande prend acte de ce code.',
    },
    action: {
      en: 'Check the interval and the infusion duration; if they are right, confirm them.',
      fr: 'Vérifier l’intervalle et la durée de perfusion ; s’ils sont justes, les confirmer.',
    },
  },
  {
    code: 'DT_ROUTE_UNUSUAL',
    severity: 'warning',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Unusual route: to confirm', fr: 'Voie inhabituelle : à confirmer' },
    meaning: {
      en: "The route is one the drug's models can represent but none of its library products is given by (a vancomycin bolus). It is recorded only when the request acknowledges this code.",
      fr: 'La voie est représentable par les modèles du médicament mais aucun de ses produits de la bibliothèque n’est donné ainsi (un bolus de vancomycine). Elle n’est enregistrée que si la demande prend acte de ce code.',
    },
    action: {
      en: 'Check the route on the prescription; if it is right, confirm it.',
      fr: 'Vérifier la voie sur la prescription ; si elle est juste, la confirmer.',
    },
  },
  {
    code: 'DT_LEVEL_UNIT_SLIP',
    severity: 'warning',
    area: 'estimation',
    raisedIn: ['engine', 'models'],
    title: { en: 'Level in another unit?', fr: 'Concentration dans une autre unité ?' },
    meaning: {
      en: "A measured level is 100 times or more above (or below) the typical patient's or the fitted prediction: the mark of a unit slip (ng/mL read as mg/L, doses in mg read as µg). A signature must acknowledge it.",
      fr: 'Une concentration mesurée est au moins 100 fois au-dessus (ou au-dessous) de la prédiction du patient typique ou de la prédiction ajustée : signe d’une erreur d’unité (ng/mL lus comme mg/L, doses en mg lues comme µg). La signature doit en prendre acte.',
    },
    action: {
      en: 'Compare the units of the levels and doses with the laboratory report and the prescription; correct the entry, or acknowledge the warning if the level is right.',
      fr: 'Comparer l’unité des concentrations et des doses avec le compte rendu du laboratoire et la prescription ; corriger la saisie, ou prendre acte de l’avertissement si la concentration est juste.',
    },
  },
  {
    code: 'DT_ETA_EXTREME',
    severity: 'warning',
    area: 'estimation',
    raisedIn: ['engine', 'models'],
    title: {
      en: 'Individual parameter far from the population',
      fr: 'Paramètre individuel loin de la population',
    },
    meaning: {
      en: 'A fitted random effect (eta) is more than 3 of its prior standard deviations (√ω²) from 0: the fit bends the patient to absorb something — often a dose or level in the wrong unit or at the wrong time (tacrolimus doses in mg read as µg give η_CL ≈ −3.5 with ω = 0.27). A signature must acknowledge it.',
      fr: 'Un effet aléatoire ajusté (eta) est à plus de 3 de ses écarts-types a priori (√ω²) de 0 : l’ajustement tord le patient pour absorber quelque chose — souvent une dose ou une concentration dans une mauvaise unité ou à une mauvaise heure (des doses de tacrolimus en mg lues comme µg donnent η_CL ≈ −3,5 pour ω = 0,27). La signature doit en prendre acte.',
    },
    action: {
      en: 'Check the units and times of doses and levels; if the record is right, consider a model developed for such patients, or acknowledge the warning.',
      fr: 'Vérifier les unités et les heures des doses et des concentrations ; si le dossier est juste, envisager un modèle développé pour de tels patients, ou prendre acte de l’avertissement.',
    },
  },
  {
    code: 'DT_ACK_REQUIRED',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Confirmation needed', fr: 'Confirmation nécessaire' },
    meaning: {
      en: 'The entry or the signature is possible but raises warnings that must be acknowledged (listed after this issue, each with its code and field); nothing was stored.',
      fr: 'La saisie ou la signature est possible mais soulève des avertissements dont il faut prendre acte (listés après ce message, chacun avec son code et son champ) ; rien n’a été enregistré.',
    },
    action: {
      en: "Read each warning; if the values are right, send the request again with their codes in 'acknowledge' (the web app asks with a checkbox). The acknowledgement is stored with the entry or the signature and audited.",
      fr: 'Lire chaque avertissement ; si les valeurs sont justes, renvoyer la demande avec leurs codes dans « acknowledge » (l’application web le demande par une case à cocher). La prise d’acte est conservée avec la saisie ou la signature et tracée.',
    },
  },
  {
    code: 'DT_AUTH_PENDING',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'First sign-in not finished', fr: 'Première connexion inachevée' },
    meaning: {
      en: 'The session is open but the account must first change its one-time password or enrol its second factor (HTTP 403); nothing else is allowed until then.',
      fr: 'La session est ouverte mais le compte doit d’abord changer son mot de passe à usage unique ou enrôler son second facteur (HTTP 403) ; rien d’autre n’est permis avant.',
    },
    action: {
      en: 'Choose your own password (POST /api/auth/password), then, for a pharmacologist or an administrator, enrol an authenticator app (POST /api/auth/totp, then /api/auth/totp/confirm).',
      fr: 'Choisir son propre mot de passe (POST /api/auth/password), puis, pour un pharmacologue ou un administrateur, enrôler une application d’authentification (POST /api/auth/totp, puis /api/auth/totp/confirm).',
    },
  },
  {
    code: 'DT_AUTH_CODE',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Authenticator code needed or wrong', fr: 'Code d’authentification requis ou faux' },
    meaning: {
      en: 'The password was right but the account signs in with a second factor: its 6-digit TOTP code is missing, wrong, or was already used (HTTP 401).',
      fr: 'Le mot de passe était juste mais le compte se connecte avec un second facteur : son code TOTP à 6 chiffres manque, est faux ou a déjà servi (HTTP 401).',
    },
    action: {
      en: 'Enter the code your authenticator app shows now; a code is accepted once.',
      fr: 'Saisir le code que l’application d’authentification affiche maintenant ; un code n’est accepté qu’une fois.',
    },
  },
  {
    code: 'DT_REAUTH',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Re-authentication failed', fr: 'Réauthentification refusée' },
    meaning: {
      en: 'Signing a decision, changing one’s password or second factor asks the user to prove again who they are; the password or code given is wrong, already used, or missing (HTTP 403).',
      fr: 'Signer une décision, changer son mot de passe ou son second facteur demande à l’utilisateur de prouver à nouveau son identité ; le mot de passe ou le code donné est faux, déjà utilisé ou absent (HTTP 403).',
    },
    action: {
      en: 'Give your own current password, or the next code of your authenticator app when you have one.',
      fr: 'Donner son mot de passe actuel, ou le prochain code de son application d’authentification si l’on en a une.',
    },
  },
  {
    code: 'DT_SIGN_SEPARATION',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Analyst cannot sign', fr: 'L’analyste ne peut pas signer' },
    meaning: {
      en: 'The pharmacologist who ran the analysis may not sign it: a second person checks and signs (four-eyes principle).',
      fr: 'Le pharmacologue qui a lancé l’analyse ne peut pas la signer : une seconde personne la vérifie et la signe (principe des quatre yeux).',
    },
    action: {
      en: 'Ask another pharmacologist to review and sign the analysis.',
      fr: 'Demander à un autre pharmacologue de relire et de signer l’analyse.',
    },
  },
  {
    code: 'DT_LAST_ADMIN',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Last administrator', fr: 'Dernier administrateur' },
    meaning: {
      en: 'The change would leave the service without an active administrator (deactivating or changing the role of the last one), and no one could then manage accounts.',
      fr: 'La modification laisserait le service sans administrateur actif (désactivation ou changement de rôle du dernier), et plus personne ne pourrait gérer les comptes.',
    },
    action: {
      en: 'Make another account an administrator first, then change this one.',
      fr: 'Nommer d’abord un autre compte administrateur, puis modifier celui-ci.',
    },
  },
  {
    code: 'DT_PASSWORD_POLICY',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Password refused', fr: 'Mot de passe refusé' },
    meaning: {
      en: 'The new password breaks the policy: fewer than 12 characters, the user name inside it, one of the 10 000 most common passwords, or the same as the current one.',
      fr: 'Le nouveau mot de passe enfreint la règle : moins de 12 caractères, le nom d’utilisateur dedans, l’un des 10 000 mots de passe les plus courants, ou identique à l’actuel.',
    },
    action: {
      en: 'Choose a longer passphrase of your own (several unrelated words), not reused from another account.',
      fr: 'Choisir une phrase de passe plus longue et personnelle (plusieurs mots sans rapport), non réutilisée d’un autre compte.',
    },
  },
  {
    code: 'DT_SIGNATURE_INVALID',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Signature does not verify', fr: 'Signature invalide' },
    meaning: {
      en: 'The stored decision is not what the service key signed: a field of the signature row or of the analysis it signs was changed, the signature was recomputed without the key, or another key signed it. No report is produced from it (HTTP 409) and the refusal is audited.',
      fr: 'La décision conservée n’est pas celle que la clé du service a signée : un champ de la signature ou de l’analyse signée a été modifié, la signature a été recalculée sans la clé, ou une autre clé l’a signée. Aucun compte rendu n’en est produit (HTTP 409) et le refus est tracé.',
    },
    action: {
      en: 'Treat the record as altered: tell the administrator, who checks the audit trail and the database; the analysis must be signed again by its pharmacologist.',
      fr: 'Considérer le dossier comme altéré : prévenir l’administrateur, qui vérifie la piste d’audit et la base ; l’analyse doit être signée à nouveau par son pharmacologue.',
    },
  },
  {
    code: 'DT_MISSED_DOSE',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['engine', 'models'],
    title: {
      en: 'Missed-dose question cannot be answered',
      fr: 'Question de dose oubliée sans réponse possible',
    },
    meaning: {
      en: 'The options after a missed or late dose cannot be simulated: the delay is negative or a whole dosing interval or more (the next dose is then due), the efficacy threshold is not below the toxicity one, the reduced fraction is not between 0 and 1, or the record already holds a dose at or after the missed dose’s time.',
      fr: 'Les conduites à tenir après une dose oubliée ou en retard ne peuvent pas être simulées : retard négatif ou d’un intervalle entier ou plus (la dose suivante est alors due), seuil d’efficacité non inférieur au seuil de toxicité, fraction réduite hors de 0 à 1, ou le dossier contient déjà une dose à l’heure de la dose oubliée ou après.',
    },
    action: {
      en: 'Correct the field named: the time the dose was due and the time now, the thresholds, or the doses recorded after the missed one.',
      fr: 'Corriger le champ indiqué : l’heure où la dose était due et l’heure actuelle, les seuils, ou les doses enregistrées après la dose oubliée.',
    },
  },
  {
    code: 'DT_ADHERENCE',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Dose record does not match the prescription', fr: 'Prise non conforme à la prescription' },
    meaning: {
      en: 'A record of a missed, late or extra dose cannot be placed: its due time is not a prescribed dose time, a late dose was taken before it was due, a missed dose has a time, an extra dose has no time or amount, a dose has two records, or the prescription has no first dose or an end before it.',
      fr: 'Une prise oubliée, en retard ou supplémentaire ne peut pas être placée : son heure prévue n’est pas une heure de prise prescrite, une prise en retard a eu lieu avant l’heure prévue, une prise oubliée porte une heure, une prise supplémentaire n’a ni heure ni quantité, une prise a deux enregistrements, ou la prescription n’a pas de première prise ou finit avant.',
    },
    action: {
      en: 'Correct the record named: choose the dose as prescribed (its due time), and give the time it was taken for a late or extra dose.',
      fr: 'Corriger l’enregistrement indiqué : choisir la prise telle que prescrite (son heure prévue) et donner l’heure de la prise en retard ou supplémentaire.',
    },
  },
  {
    code: 'DT_PILLBOX_CSV',
    severity: 'error',
    area: 'data',
    raisedIn: ['models', 'server'],
    title: { en: 'Pill box file cannot be read', fr: 'Fichier du pilulier illisible' },
    meaning: {
      en: 'The electronic pill box export has no opened_at (or timestamp) column, a line whose time is not an ISO 8601 date-time with a time zone, openings out of time order, no opening at all, or an opening before every prescription of the patient (or the patient has none).',
      fr: 'L’export du pilulier électronique n’a pas de colonne opened_at (ou timestamp), contient une ligne dont l’heure n’est pas une date-heure ISO 8601 avec fuseau horaire, des ouvertures dans le désordre, aucune ouverture, ou une ouverture antérieure à toutes les prescriptions du patient (ou il n’en a aucune).',
    },
    action: {
      en: "Export the openings with their time zone (e.g. '2026-12-07T20:05+01:00'), one per line in time order, under a header naming the column opened_at; record the prescription the pill box was filled for first.",
      fr: 'Exporter les ouvertures avec leur fuseau horaire (par exemple « 2026-12-07T20:05+01:00 »), une par ligne dans l’ordre du temps, sous un en-tête nommant la colonne opened_at ; enregistrer d’abord la prescription pour laquelle le pilulier a été rempli.',
    },
  },
  // ------------------------------------------------------------------ teaching cases (playground)
  {
    code: 'DT_CASE_FILE',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Not a case file', fr: 'Pas un fichier de cas' },
    meaning: {
      en: 'The file loaded in the playground is not JSON, or not a dosetwin teaching case ("format": "dosetwin-case/1").',
      fr: 'Le fichier chargé dans le terrain d’exercice n’est pas du JSON, ou pas un cas d’enseignement dosetwin (« format » : « dosetwin-case/1 »).',
    },
    action: {
      en: 'Load the case file the instructor gave, or download the example case and start from it.',
      fr: 'Charger le fichier de cas donné par l’enseignant, ou télécharger le cas d’exemple et partir de lui.',
    },
  },
  {
    code: 'DT_CASE_FIELD',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Case file field wrong', fr: 'Champ du fichier de cas erroné' },
    meaning: {
      en: 'A field of the case file is missing or wrong (the patient, the doses given, the truth, the sampling times and budget, the target, the seed or the scoring); each is named.',
      fr: 'Un champ du fichier de cas manque ou est erroné (patient, doses administrées, vérité, heures et nombre de prélèvements, cible, graine ou barème) ; chacun est nommé.',
    },
    action: {
      en: 'Correct each field named in the case file (the example case shows every field), then load it again.',
      fr: 'Corriger chaque champ nommé dans le fichier de cas (le cas d’exemple montre tous les champs), puis le recharger.',
    },
  },
  {
    code: 'DT_CASE_MODEL',
    severity: 'error',
    area: 'model library',
    raisedIn: ['models'],
    title: { en: 'Case model unusable', fr: 'Modèle du cas inutilisable' },
    meaning: {
      en: 'The case names a model that is not in the library, one that cannot hold a single truth (inter-occasion variability) or simulate its levels (residual error as an expression), or true etas that are not the model’s.',
      fr: 'Le cas nomme un modèle absent de la bibliothèque, un modèle qui ne peut porter une vérité unique (variabilité inter-occasion) ou simuler ses dosages (erreur résiduelle en expression), ou des etas vrais qui ne sont pas ceux du modèle.',
    },
    action: {
      en: 'Choose a library model without inter-occasion variability and give one true value for each of its etas, by name.',
      fr: 'Choisir un modèle de la bibliothèque sans variabilité inter-occasion et donner une valeur vraie pour chacun de ses etas, par nom.',
    },
  },
  {
    code: 'DT_CASE_SAMPLING',
    severity: 'error',
    area: 'dosing',
    raisedIn: ['models'],
    title: { en: 'Sampling or dose not allowed', fr: 'Prélèvement ou dose non permis' },
    meaning: {
      en: 'The student asked for more levels than the case allows, a time the case does not offer or the same time twice, or gave a dose that is not a positive number.',
      fr: 'L’étudiant a demandé plus de dosages que le cas n’en permet, une heure que le cas n’offre pas ou deux fois la même heure, ou a donné une dose qui n’est pas un nombre positif.',
    },
    action: {
      en: 'Choose at most the budget of levels among the allowed times, and a dose above 0.',
      fr: 'Choisir au plus le nombre permis de prélèvements parmi les heures offertes, et une dose supérieure à 0.',
    },
  },
  // ------------------------------------------------------------------ FHIR import (models/src/fhir)
  {
    code: 'DT_SMART',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'SMART launch refused', fr: 'Lancement SMART refusé' },
    meaning: {
      en: 'A SMART App Launch could not be completed: the service is not registered as a SMART app, the EHR is not one it is registered with, its SMART configuration is missing or lacks PKCE S256, the launch expired or belongs to another user, the authorization failed, no patient was given in context, or the FHIR Patient lacks what a dosetwin patient needs (name, birth date, identifier, sex).',
      fr: 'Un lancement SMART n’a pas pu aboutir : le service n’est pas enregistré comme application SMART, le DPI n’est pas un de ceux où il l’est, sa configuration SMART manque ou n’offre pas PKCE S256, le lancement a expiré ou appartient à un autre utilisateur, l’autorisation a échoué, aucun patient n’a été donné en contexte, ou le Patient FHIR n’a pas ce qu’un patient de dosetwin demande (nom, date de naissance, identifiant, sexe).',
    },
    action: {
      en: 'Launch again from the EHR; if it persists, the administrator checks dosetwin’s registration (DOSETWIN_SMART_CLIENT_ID, DOSETWIN_SMART_SERVERS) and the EHR’s.',
      fr: 'Relancer depuis le DPI ; si cela persiste, l’administrateur vérifie l’enregistrement de dosetwin (DOSETWIN_SMART_CLIENT_ID, DOSETWIN_SMART_SERVERS) et celui du DPI.',
    },
  },
  {
    code: 'DT_CDS_REQUEST',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'CDS Hooks call not usable', fr: 'Appel CDS Hooks inutilisable' },
    meaning: {
      en: 'A CDS Hooks call is well formed but cannot be answered: the hook is not the service’s, order-select names no selection, there is neither a complete prefetch nor a FHIR server with an access token to read the record, or the FHIR server named is not one of the client’s (HTTP 400).',
      fr: 'Un appel CDS Hooks est bien formé mais ne peut pas recevoir de réponse : le hook n’est pas celui du service, order-select ne désigne aucune sélection, il n’y a ni prefetch complet ni serveur FHIR avec jeton d’accès pour lire le dossier, ou le serveur FHIR indiqué n’est pas un de ceux du client (HTTP 400).',
    },
    action: {
      en: 'Integrator: send the prefetch of the discovery document (GET /cds-services), or fhirServer and fhirAuthorization of a registered server.',
      fr: 'Intégrateur : envoyer le prefetch du document de découverte (GET /cds-services), ou fhirServer et fhirAuthorization d’un serveur enregistré.',
    },
  },
  {
    code: 'DT_CDS_AUTH',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'CDS client not authenticated', fr: 'Client CDS non authentifié' },
    meaning: {
      en: 'A CDS Hooks call has no bearer JWT, or one not issued by a registered CDS client, not signed by its key, not for this service’s URL, or expired (HTTP 401).',
      fr: 'Un appel CDS Hooks n’a pas de JWT porteur, ou un JWT non émis par un client CDS enregistré, non signé par sa clé, non destiné à l’adresse de ce service, ou expiré (HTTP 401).',
    },
    action: {
      en: 'Administrator: register the EHR (its issuer, key set and FHIR servers) in DOSETWIN_CDS_CLIENTS; check the clocks.',
      fr: 'Administrateur : enregistrer le DPI (émetteur, jeu de clés et serveurs FHIR) dans DOSETWIN_CDS_CLIENTS ; vérifier les horloges.',
    },
  },
  {
    code: 'DT_FHIR_SERVER',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'FHIR server not reached', fr: 'Serveur FHIR injoignable' },
    meaning: {
      en: 'The hospital’s FHIR server did not answer, answered an error (an expired token, a patient it does not know), or answered something that is not a FHIR resource; nothing was imported (HTTP 502).',
      fr: 'Le serveur FHIR de l’hôpital n’a pas répondu, a répondu une erreur (jeton expiré, patient inconnu) ou autre chose qu’une ressource FHIR ; rien n’a été importé (HTTP 502).',
    },
    action: {
      en: 'Try again; if it persists, check the FHIR server’s address and dosetwin’s access with the administrator.',
      fr: 'Réessayer ; si cela persiste, vérifier avec l’administrateur l’adresse du serveur FHIR et l’accès de dosetwin.',
    },
  },
  {
    code: 'DT_FHIR_NOT_CONFIGURED',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'No FHIR server', fr: 'Aucun serveur FHIR' },
    meaning: {
      en: 'An import from the hospital’s record was asked for, but the service is not set up to read a FHIR server.',
      fr: 'Un import depuis le dossier de l’hôpital a été demandé, mais le service n’est pas configuré pour lire un serveur FHIR.',
    },
    action: {
      en: 'Enter the record by hand, or ask the administrator to set DOSETWIN_FHIR_URL (see the README).',
      fr: 'Saisir le dossier à la main, ou demander à l’administrateur de régler DOSETWIN_FHIR_URL (voir le README).',
    },
  },
  {
    code: 'DT_FHIR_INPUT',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Not FHIR resources', fr: 'Pas des ressources FHIR' },
    meaning: {
      en: 'What was given to the FHIR import is not a Bundle, a resource or a list of resources, an entry has no resourceType or id, or the bundle holds more resources than one import reads.',
      fr: 'Ce qui a été donné à l’import FHIR n’est ni un Bundle, ni une ressource, ni une liste de ressources, une entrée n’a pas de resourceType ou d’id, ou le Bundle contient plus de ressources qu’un import n’en lit.',
    },
    action: {
      en: 'Ask the FHIR server for one patient’s resources (Patient, Observation, MedicationAdministration) and import those.',
      fr: 'Demander au serveur FHIR les ressources d’un seul patient (Patient, Observation, MedicationAdministration) et importer celles-ci.',
    },
  },
  {
    code: 'DT_FHIR_UNKNOWN_CODE',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Code not read', fr: 'Code non lu' },
    meaning: {
      en: 'A resource of the record was not imported: its LOINC code is neither a level of the drug (its drug file’s codes) nor a covariate dosetwin reads, its medication is not the drug by ATC or RxNorm code, or its resource type is not one the import reads.',
      fr: 'Une ressource du dossier n’a pas été importée : son code LOINC n’est ni une concentration du médicament (codes de sa fiche médicament) ni une covariable lue par dosetwin, son médicament n’est pas celui-ci d’après son code ATC ou RxNorm, ou son type de ressource n’est pas lu par l’import.',
    },
    action: {
      en: 'Nothing if the resource is unrelated (a heart rate). A level or dose of the drug under another code is entered by hand; tell the administrator so the code can be checked and added to the drug file.',
      fr: 'Rien si la ressource est sans rapport (une fréquence cardiaque). Une concentration ou une dose du médicament sous un autre code se saisit à la main ; prévenir l’administrateur pour que le code soit vérifié et ajouté à la fiche médicament.',
    },
  },
  {
    code: 'DT_FHIR_UNIT',
    severity: 'error',
    area: 'units',
    raisedIn: ['models'],
    title: { en: 'Unit missing or not readable', fr: 'Unité absente ou illisible' },
    meaning: {
      en: 'A value of the record has no UCUM unit code, or a UCUM unit dosetwin does not read for it (a level in mmol/L, a rate as a ratio): the value is not imported rather than read in a guessed unit.',
      fr: 'Une valeur du dossier n’a pas de code d’unité UCUM, ou une unité UCUM que dosetwin ne lit pas pour elle (concentration en mmol/L, débit en rapport) : la valeur n’est pas importée plutôt que lue dans une unité supposée.',
    },
    action: {
      en: 'Enter the value by hand with its unit from the laboratory report; ask for the interface to send UCUM codes.',
      fr: 'Saisir la valeur à la main avec son unité d’après le compte rendu du laboratoire ; demander que l’interface envoie les codes UCUM.',
    },
  },
  {
    code: 'DT_FHIR_VOLUME_DOSE',
    severity: 'error',
    area: 'units',
    raisedIn: ['models'],
    title: { en: 'Dose in mL without concentration', fr: 'Dose en mL sans concentration' },
    meaning: {
      en: 'An administration gives a volume of solution (mL) and its Medication no concentration (ingredient strength in mass per volume), so the amount of drug given is not known.',
      fr: 'Une administration donne un volume de solution (mL) et son médicament aucune concentration (dosage de l’ingrédient en masse par volume) : la quantité de médicament donnée est inconnue.',
    },
    action: {
      en: 'Enter the dose by hand in mg, from the preparation’s concentration.',
      fr: 'Saisir la dose à la main en mg, d’après la concentration de la préparation.',
    },
  },
  {
    code: 'DT_FHIR_TIME',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Time missing or ambiguous', fr: 'Heure absente ou ambiguë' },
    meaning: {
      en: 'A sampling or administration time is missing, a date without a time, a time without a time zone, a period where an instant is needed, an infusion ending before it starts, or a birth date that is not a full date.',
      fr: 'Une heure de prélèvement ou d’administration manque, ou c’est une date sans heure, une heure sans fuseau, une période là où un instant est attendu, une perfusion qui finit avant de commencer, ou une date de naissance incomplète.',
    },
    action: {
      en: 'Enter the record by hand with its date, time and zone as documented in the chart.',
      fr: 'Saisir l’enregistrement à la main avec sa date, son heure et son fuseau tels que documentés dans le dossier.',
    },
  },
  {
    code: 'DT_FHIR_STATUS',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Not final', fr: 'Pas définitif' },
    meaning: {
      en: 'A result that is not final, amended or corrected (preliminary, cancelled, entered in error), or an administration that is not completed (in progress, not done, stopped): what was measured or given is not known yet.',
      fr: 'Un résultat qui n’est pas définitif, modifié ou corrigé (préliminaire, annulé, saisi par erreur), ou une administration non terminée (en cours, non faite, arrêtée) : ce qui a été mesuré ou donné n’est pas encore connu.',
    },
    action: {
      en: 'Import again once the result is final or the administration completed.',
      fr: 'Importer de nouveau quand le résultat est définitif ou l’administration terminée.',
    },
  },
  {
    code: 'DT_FHIR_VALUE',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Value not usable', fr: 'Valeur inutilisable' },
    meaning: {
      en: 'A value of the record is missing, not a number, given with a comparator (‘<2 mg/L’), not positive, or contradicted (a dose that its rate and period do not give), or the patient’s gender is not one the equations read.',
      fr: 'Une valeur du dossier manque, n’est pas un nombre, est donnée avec un comparateur (« <2 mg/L »), n’est pas positive ou est contredite (une dose que débit et période ne donnent pas), ou le genre du patient n’est pas lu par les équations.',
    },
    action: {
      en: 'Check the value in the chart and enter it by hand (a level below the quantification limit with its LLOQ).',
      fr: 'Vérifier la valeur dans le dossier et la saisir à la main (une concentration sous la limite de quantification avec sa LLOQ).',
    },
  },
  {
    code: 'DT_FHIR_ROUTE',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Route or infusion not known', fr: 'Voie ou perfusion inconnue' },
    meaning: {
      en: 'An administration’s route is missing or not oral or intravenous (SNOMED CT), an intravenous dose has neither a period nor a rate (its infusion duration is unknown), or an oral dose is given over a period.',
      fr: 'La voie d’une administration manque ou n’est ni orale ni intraveineuse (SNOMED CT), une dose intraveineuse n’a ni période ni débit (sa durée de perfusion est inconnue), ou une dose orale est donnée sur une période.',
    },
    action: {
      en: 'Enter the dose by hand with its route and infusion duration from the administration record.',
      fr: 'Saisir la dose à la main avec sa voie et sa durée de perfusion d’après le relevé d’administration.',
    },
  },
  {
    code: 'DT_FHIR_GENOTYPE',
    severity: 'error',
    area: 'covariates',
    raisedIn: ['models'],
    title: { en: 'Genotype not read', fr: 'Génotype non lu' },
    meaning: {
      en: 'A genotype Observation (LOINC 84413-4) names a gene dosetwin does not read (HGNC id in component 48018-6), or a diplotype whose alleles’ function dosetwin does not know (CYP3A5: *1 functional; *3, *6, *7 not).',
      fr: 'Une observation de génotype (LOINC 84413-4) désigne un gène que dosetwin ne lit pas (identifiant HGNC du composant 48018-6), ou un diplotype dont dosetwin ne connaît pas la fonction des allèles (CYP3A5 : *1 fonctionnel ; *3, *6, *7 non).',
    },
    action: {
      en: 'Read the laboratory’s interpretation (expresser or not) and enter the covariate by hand.',
      fr: 'Lire l’interprétation du laboratoire (expresseur ou non) et saisir la covariable à la main.',
    },
  },
  {
    code: 'DT_FHIR_PATIENT',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Another patient', fr: 'Un autre patient' },
    meaning: {
      en: 'A resource is about another patient than the one imported, names no patient, or several patients were given and none named.',
      fr: 'Une ressource concerne un autre patient que celui importé, ne nomme aucun patient, ou plusieurs patients ont été donnés sans qu’aucun soit désigné.',
    },
    action: {
      en: 'Import one patient at a time, naming the patient’s FHIR id.',
      fr: 'Importer un patient à la fois, en désignant son identifiant FHIR.',
    },
  },
  // Bias audit of a model on the hospital's own TDM data.
  {
    code: 'DT_BIAS_AUDIT_DATA',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Nothing to audit', fr: 'Rien à auditer' },
    meaning: {
      en: 'The data file of the bias audit is empty, has no ID column, or no patient has enough levels for a level to be forecast from the earlier ones.',
      fr: 'Le fichier de données de l’audit de biais est vide, n’a pas de colonne ID, ou aucun patient n’a assez de concentrations pour en prévoir une à partir des précédentes.',
    },
    action: {
      en: 'Give the hospital’s TDM data with an ID column and patients with several levels, or lower the number of earlier levels required.',
      fr: 'Fournir les données de suivi thérapeutique de l’hôpital avec une colonne ID et des patients ayant plusieurs concentrations, ou réduire le nombre de concentrations antérieures exigé.',
    },
  },
  {
    code: 'DT_BIAS_AUDIT_SUBGROUP',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Subgroup not readable', fr: 'Sous-groupe illisible' },
    meaning: {
      en: 'A subgroup of the bias audit has no column in the data nor covariate in the model, or a patient’s value for it is not a number or not one of its codes (SEX 0 = male, 1 = female).',
      fr: 'Un sous-groupe de l’audit de biais n’a ni colonne dans les données ni covariable dans le modèle, ou la valeur d’un patient n’est pas un nombre ou pas l’un de ses codes (SEX 0 = homme, 1 = femme).',
    },
    action: {
      en: 'Choose subgroups among the columns of the data (sex, age, crcl, weight, genotype, ward or a column name) and correct the value at the line named.',
      fr: 'Choisir les sous-groupes parmi les colonnes des données (sex, age, crcl, weight, genotype, ward ou un nom de colonne) et corriger la valeur à la ligne indiquée.',
    },
  },
  {
    code: 'DT_BIAS_AUDIT_OPTION',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Bias audit option refused', fr: 'Option de l’audit de biais refusée' },
    meaning: {
      en: 'The bias threshold is not a positive fraction, or the number of earlier levels required is not a whole number of 0 or more.',
      fr: 'Le seuil de biais n’est pas une fraction positive, ou le nombre de concentrations antérieures exigé n’est pas un entier positif ou nul.',
    },
    action: {
      en: 'Give the threshold as a fraction (0.1 for ±10 %) and the earlier levels as 0, 1, 2…',
      fr: 'Donner le seuil comme une fraction (0,1 pour ±10 %) et les concentrations antérieures comme 0, 1, 2…',
    },
  },
  {
    code: 'DT_LOCAL_MODEL_DATA',
    severity: 'error',
    area: 'data',
    raisedIn: ['models'],
    title: { en: 'Local model cannot be built', fr: 'Modèle local impossible à construire' },
    meaning: {
      en: 'Too few of the service’s patients have levels the model can read to fit and judge a local version, a parameter to estimate is not the model’s, or the uploaded model is not a version of the published one (another model, other parameters, random effects or covariates).',
      fr: 'Trop peu de patients du service ont des concentrations lisibles par le modèle pour ajuster et juger une version locale, un paramètre à estimer n’est pas celui du modèle, ou le modèle téléversé n’est pas une version du modèle publié (autre modèle, autres paramètres, effets aléatoires ou covariables).',
    },
    action: {
      en: 'Wait for more patients with levels (at least 4 to fit, 2 to judge an uploaded model), choose the parameters among the model’s, or upload the published model file with its estimates changed.',
      fr: 'Attendre davantage de patients avec des concentrations (au moins 4 pour ajuster, 2 pour juger un modèle téléversé), choisir les paramètres parmi ceux du modèle, ou téléverser le fichier du modèle publié avec ses estimations modifiées.',
    },
  },
  {
    code: 'DT_LOCAL_MODEL_SELF_APPROVAL',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Proposer cannot approve', fr: 'Le proposant ne peut pas approuver' },
    meaning: {
      en: 'The pharmacologist who proposed a local version of a model may not approve it: a second pharmacologist checks its evidence and approves it (four-eyes principle).',
      fr: 'Le pharmacologue qui a proposé une version locale d’un modèle ne peut pas l’approuver : un second pharmacologue en vérifie les éléments et l’approuve (principe des quatre yeux).',
    },
    action: {
      en: 'Ask another pharmacologist to review the predictive check, bias audit and diagnostics and approve or reject the version.',
      fr: 'Demander à un autre pharmacologue de relire le contrôle prédictif, l’audit de biais et les diagnostics, puis d’approuver ou de rejeter la version.',
    },
  },
  {
    code: 'DT_LOCAL_MODEL_APPROVER',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Only a pharmacologist decides', fr: 'Seul un pharmacologue décide' },
    meaning: {
      en: 'A local version of a model is approved or rejected by a pharmacologist; this account has another role.',
      fr: 'Une version locale d’un modèle est approuvée ou rejetée par un pharmacologue ; ce compte a un autre rôle.',
    },
    action: {
      en: 'Ask a pharmacologist (not the one who proposed it) to decide.',
      fr: 'Demander à un pharmacologue (autre que celui qui l’a proposée) de décider.',
    },
  },
  {
    code: 'DT_LOCAL_MODEL_NOT_APPROVED',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Local model not approved', fr: 'Modèle local non approuvé' },
    meaning: {
      en: 'The analysis asked for a local version of the model that is proposed, rejected or retired: only an approved version is ever used.',
      fr: 'L’analyse demande une version locale du modèle proposée, rejetée ou retirée : seule une version approuvée est utilisée.',
    },
    action: {
      en: 'Analyse with the approved version in force (leave the local version out) or the published model, or have the version approved first.',
      fr: 'Analyser avec la version approuvée en vigueur (sans préciser de version locale) ou le modèle publié, ou faire d’abord approuver la version.',
    },
  },
  {
    code: 'DT_LOCAL_MODEL_STATE',
    severity: 'error',
    area: 'service/HTTP',
    raisedIn: ['server'],
    title: { en: 'Local model already decided', fr: 'Modèle local déjà tranché' },
    meaning: {
      en: 'Only a proposed local version is approved or rejected, and only an approved one is retired; this version is in another state.',
      fr: 'Seule une version locale proposée peut être approuvée ou rejetée, et seule une version approuvée peut être retirée ; cette version est dans un autre état.',
    },
    action: {
      en: 'Reload the local models page to see the version’s state; propose a new version to change the model in force.',
      fr: 'Recharger la page des modèles locaux pour voir l’état de la version ; proposer une nouvelle version pour changer le modèle en vigueur.',
    },
  },
];

/** Every code dosetwin raises, with its meaning and what to do, in English and French. */
export const ISSUE_CATALOGUE: readonly IssueEntry[] = CATALOGUE;

const BY_CODE = new Map(CATALOGUE.map((e) => [e.code as string, e]));

/**
 * The entry of a code, else of the family (`DT_PREFIX_*`) it belongs to, else null (a code not
 * catalogued). `catalogue` is for tests.
 */
export function issueInfo(code: string, catalogue: readonly IssueEntry[] = CATALOGUE): IssueEntry | null {
  const exact = catalogue === CATALOGUE ? BY_CODE.get(code) : catalogue.find((e) => e.code === code);
  return (
    exact ?? catalogue.find((e) => e.code.endsWith('_*') && code.startsWith(e.code.slice(0, -1))) ?? null
  );
}
