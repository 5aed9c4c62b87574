/** La page d’essai virtuel (son propre fichier, un seul responsable). */
import type { trialEn } from './trial-en.ts';

export const trialFr: Record<keyof typeof trialEn, string> = {
  tr_title: 'Essai virtuel',
  tr_intro:
    'Probabilité d’atteinte de la cible de schémas candidats sur une population virtuelle de la fiche du médicament, avec la variabilité du modèle. Calculé dans votre navigateur, avec les mêmes graines que la commande dosetwin trial.',
  tr_model: 'Modèle',
  tr_regimens: 'Schémas (un par ligne)',
  tr_target: 'Cible',
  tr_mics: 'CMI de la courbe de PTA (mg/L, séparées par des virgules)',
  tr_mic: 'CMI de la PTA principale (mg/L)',
  tr_days: 'Jours',
  tr_patients: 'Patients virtuels',
  tr_seed: 'Graine',
  tr_run: 'Lancer l’essai',
  tr_running: 'Lot {done} sur {total}…',
  tr_byDay: 'PTA de toutes les cibles par jour (± erreur standard Monte Carlo)',
  tr_arm: 'Schéma',
  tr_day: 'Jour {day}',
  tr_exposure: 'Exposition par jour, {target} : médiane (5e–95e centile), unités du modèle',
  tr_exposureY: 'Exposition',
  tr_curve: 'PTA selon la CMI au jour {day}',
  tr_curveX: 'CMI (mg/L)',
  tr_curveY: 'PTA',
  tr_noCurve: 'La courbe de PTA demande une cible fondée sur la CMI (par exemple fauc_mic>=400).',
  tr_summary: '{n} patients virtuels, {model}, graine {seed}.',
};
