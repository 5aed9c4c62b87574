/** Texte français du terrain d’exercice (fusionné dans `fr.ts` ; mêmes clés que `playground-en.ts`). */
import type { playgroundEn } from './playground-en.ts';

const RT =
  'Rowland M, Tozer TN. Clinical Pharmacokinetics and Pharmacodynamics: Concepts and Applications, 4e éd. Lippincott Williams & Wilkins, 2011';
const GW =
  'Gabrielsson J, Weiner D. Pharmacokinetic and Pharmacodynamic Data Analysis: Concepts and Applications, 5e éd. Swedish Pharmaceutical Press, 2016';

export const playgroundFr: Record<keyof typeof playgroundEn, string> = {
  pg_title: 'Terrain d’exercice de pharmacocinétique',
  pg_intro:
    'Des leçons aux courbes vivantes, la mise à jour bayésienne, et des cas à vérité cachée. Sans compte ; une fois la page chargée, elle fonctionne sans réseau.',
  pg_open: 'Terrain d’exercice (enseignement, sans compte)',
  pg_tab_lessons: 'Leçons',
  pg_tab_bayes: 'Mise à jour bayésienne',
  pg_tab_case: 'Cas',
  pg_tab_instructor: 'Enseignant',
  pg_lesson: 'Leçon',
  pg_source: 'Sources',
  pg_time_h: 'Temps (h)',
  pg_conc: 'Concentration (mg/L)',
  pg_curve: 'Concentration',
  pg_reference: 'Comparaison',
  pg_band: 'Intervalle à 90 %',
  'pg_lesson_one-cmt': 'Un compartiment, bolus intraveineux',
  'pg_text_one-cmt':
    'Après un bolus, la quantité dans l’organisme diminue de la même fraction chaque heure : C(t) = Dose/V · e^(−CL/V · t). V fixe le niveau de départ, CL/V la pente en échelle logarithmique ; la demi-vie vaut 0,693·V/CL. Doubler CL fait chuter la courbe deux fois plus vite ; doubler V la fait partir deux fois plus bas mais décroître plus lentement.',
  'pg_source_one-cmt': RT + ' (dose intraveineuse). ' + GW + ' (modèles à un compartiment).',
  pg_lesson_infusion: 'Perfusion à débit constant',
  pg_text_infusion:
    'Pendant une perfusion au débit R, la concentration monte vers R/CL et en atteint la moitié après une demi-vie ; à l’arrêt, elle décroît comme après un bolus. Une perfusion plus longue de la même dose donne un pic plus bas et plus tardif, et la même aire sous la courbe (Dose/CL).',
  pg_source_infusion: RT + ' (administration à débit constant).',
  pg_lesson_oral: 'Absorption orale et temps de latence',
  pg_text_oral:
    'Une dose orale atteint le sang après un temps de latence, puis à la vitesse ka, et seulement pour sa fraction biodisponible F : C(t) = F·Dose·ka/(V(ka − k)) · (e^(−k(t−tlag)) − e^(−ka(t−tlag))). Une absorption plus lente abaisse et retarde le pic ; F multiplie toute la courbe et l’aire (F·Dose/CL).',
  pg_source_oral:
    RT + ' (administration extravasculaire). ' + GW + ' (absorption d’ordre 1, temps de latence).',
  pg_lesson_multiple: 'Administrations répétées et état d’équilibre',
  pg_text_multiple:
    'Chaque dose s’ajoute à ce qui reste des précédentes. Les concentrations montent jusqu’à ce qu’autant soit éliminé par intervalle qu’administré : l’état d’équilibre, atteint à 90 % environ après 3,3 demi-vies quelle que soit la dose. L’accumulation vaut 1/(1 − e^(−k·τ)) : plus l’intervalle est court devant la demi-vie, plus le médicament s’accumule.',
  pg_source_multiple: RT + ' (schémas à doses répétées).',
  pg_lesson_loading: 'Dose de charge',
  pg_text_loading:
    'L’état d’équilibre demande 3 à 5 demi-vies. Une dose de charge remplit d’emblée le volume (environ concentration cible × V), si bien que la concentration est dans la cible dès la première dose ; la dose d’entretien remplace ensuite ce qui est éliminé (concentration cible × CL × τ). Comparer avec la courbe en tirets : le même schéma sans dose de charge.',
  pg_source_loading: RT + ' (dose de charge et d’entretien).',
  pg_lesson_nonlinear: 'Élimination non linéaire (Michaelis–Menten)',
  pg_text_nonlinear:
    'Quand l’élimination sature, sa vitesse vaut Vmax·C/(Km + C) : bien au-dessus de Km, la concentration baisse d’une quantité constante par heure et non d’une fraction constante, et doubler la dose fait plus que doubler l’exposition (phénytoïne). La courbe en tirets est le médicament linéaire de même clairance aux faibles concentrations (Vmax/Km). La courbe est la solution exacte, écrite avec la fonction W de Lambert.',
  pg_source_nonlinear:
    RT +
    ' (non-linéarités). Schnell S, Mendoza C. Closed form solution for time-dependent enzyme kinetics. J Theor Biol 1997;187:207–212.',
  pg_lesson_covariates: 'Covariables : poids et fonction rénale',
  pg_text_covariates:
    'Une partie des différences entre patients s’explique : la clairance croît avec le poids à la puissance 0,75 (allométrie) et avec la fonction rénale ; le volume, proportionnellement au poids. Déplacer le poids et la clairance de la créatinine, et comparer le patient au patient typique de 70 kg et 100 mL/min (tirets).',
  pg_source_covariates:
    'Anderson BJ, Holford NHG. Mechanism-based concepts of size and maturity in pharmacokinetics. Annu Rev Pharmacol Toxicol 2008;48:303–332. ' +
    RT +
    ' (variabilité, fonction rénale).',
  pg_lesson_variability: 'Variabilité entre patients',
  pg_text_variability:
    'Ce que les covariables n’expliquent pas demeure : la clairance varie selon une loi log-normale autour de sa valeur typique, avec un écart type ω de ln CL. L’intervalle contient 90 % des patients (CL à e^(±1,645·ω)). C’est cet intervalle que les dosages du patient resserreront (voir la mise à jour bayésienne).',
  pg_source_variability: RT + ' (variabilité). ' + GW + ' (modèles de population).',
  param_doseMg: 'Dose (mg)',
  param_clLPerH: 'Clairance CL (L/h)',
  param_vL: 'Volume V (L)',
  param_horizonH: 'Durée affichée (h)',
  param_durationH: 'Durée de perfusion (h)',
  param_kaPerH: 'Constante d’absorption ka (1/h)',
  param_lagH: 'Temps de latence (h)',
  param_f: 'Biodisponibilité F',
  param_tauH: 'Intervalle entre les doses τ (h)',
  param_doses: 'Nombre de doses',
  param_loadingMg: 'Dose de charge (mg)',
  param_vmaxMgPerH: 'Vmax (mg/h)',
  param_kmMgPerL: 'Km (mg/L)',
  param_wtKg: 'Poids (kg)',
  param_crclMlPerMin: 'Clairance de la créatinine (mL/min)',
  param_tvclLPerH: 'CL typique à 70 kg, 100 mL/min (L/h)',
  param_tvvL: 'V typique à 70 kg (L)',
  param_crclExponent: 'Exposant de la ClCr sur CL',
  param_omegaCl: 'Variabilité ω de ln CL',
  pg_bayes_text:
    'Le modèle de population prédit un intervalle pour un nouveau patient (gris). Un dosage mesuré chez le patient déplace ses paramètres individuels vers les valeurs qui concilient le mieux le dosage et la population (maximum a posteriori) et resserre l’intervalle (bleu). Le moment du prélèvement compte : le second graphique montre de combien un dosage à chaque heure devrait réduire l’incertitude sur chaque paramètre.',
  pg_bayes_source:
    'Sheiner LB, Beal S, Rosenberg B, Marathe VV. Forecasting individual pharmacokinetics. Clin Pharmacol Ther 1979;26:294–305. Mentré F, Mallet A, Baccar D. Optimal design in random-effects regression models. Biometrika 1997;84:429–442. Modèle : Thomson AH et al. J Antimicrob Chemother 2009;63:1050–1057.',
  pg_level_time: 'Heure du dosage (h)',
  pg_level_value: 'Concentration mesurée (mg/L)',
  pg_add_level: 'Ajouter le dosage',
  pg_clear_levels: 'Retirer les dosages',
  pg_levels: 'Dosages',
  pg_prior_band: 'Population (a priori) 90 %',
  pg_posterior_band: 'Patient (a posteriori) 90 %',
  pg_ipred: 'Prédiction individuelle',
  pg_parameter: 'Paramètre',
  pg_prior_value: 'Patient typique',
  pg_posterior_value: 'Ce patient',
  pg_information:
    'Réduction attendue de l’écart type de chaque paramètre par un dosage de plus, selon l’heure du prélèvement (%)',
  pg_information_at: 'Un dosage à {t} h devrait réduire l’écart type de {eta} de {pct} %.',
  pg_computing: 'Calcul…',
  pg_case_load: 'Charger un fichier de cas',
  pg_case_example: 'Prendre le cas d’exemple',
  pg_case_download_example: 'Télécharger le cas d’exemple',
  pg_case_none: 'Charger le fichier de cas donné par l’enseignant, ou prendre le cas d’exemple.',
  pg_case_patient: 'Patient',
  pg_case_given: 'Administré : {dose} toutes les {interval}, {count} doses depuis le temps 0',
  pg_case_target: 'Cible : {target}',
  pg_case_choose_times: 'Choisir quand prélever (au plus {budget} ; chaque dosage coûte {points} points)',
  pg_case_draw: 'Prélever',
  pg_case_levels_drawn: 'Dosages reçus',
  pg_case_dose: 'Votre dose d’entretien (mg, toutes les {interval})',
  pg_case_predicted: 'Prédit par votre jumeau : {metric} = {value}, probabilité d’atteindre la cible {pta}',
  pg_case_submit: 'Valider la dose',
  pg_case_score: 'Score : {score} / 100',
  pg_case_score_detail:
    '{metric} du vrai patient sous {dose} mg : {value} (cible {target}) : atteinte {attainment}, moins {penalty} pour {n} dosage(s).',
  pg_case_saved:
    'Votre résultat est conservé dans ce navigateur (pseudonyme {who}) pour la vue de l’enseignant.',
  pg_case_download_result: 'Télécharger mon résultat',
  pg_instructor_text:
    'Les résultats de ce navigateur, et ceux importés des fichiers des étudiants, sans nom (chaque étudiant est un pseudonyme tiré au hasard). La vérité du cas chargé s’affiche à la demande.',
  pg_instructor_import: 'Importer des fichiers de résultats',
  pg_instructor_clear: 'Effacer les résultats',
  pg_instructor_none: 'Aucun résultat pour l’instant.',
  pg_col_who: 'Pseudonyme',
  pg_col_case: 'Cas',
  pg_col_times: 'Dosages à (h)',
  pg_col_dose: 'Dose (mg)',
  pg_col_metric: 'Exposition vraie',
  pg_col_score: 'Score',
  pg_col_check: 'Score recalculé sur la vérité',
  pg_check_ok: '✓ identique',
  pg_check_bad: '✗ la vérité donne {score}',
  pg_col_when: 'Quand',
  pg_show_truth: 'Afficher la vérité du cas chargé',
  pg_truth: 'Vérité de {id}',
  pg_truth_etas: 'Etas vrais',
  pg_series: 'Générer une série à partir du cas chargé',
  pg_series_go: 'Générer',
  pg_series_n: 'Nombre de cas',
  pg_series_seed: 'Graine',
  pg_series_download: 'Télécharger {id}',
  pg_no_case: 'Charger d’abord un cas (onglet Cas).',
};
