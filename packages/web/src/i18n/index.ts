/** UI text in English and French: one dictionary per language, same keys (a test checks), a switch in the header. */
import { createContext, useContext } from 'react';
import { en, type Key } from './en.ts';
import { fr } from './fr.ts';

export type Lang = 'en' | 'fr';
export const DICTIONARIES: Record<Lang, Record<Key, string>> = { en, fr };
export type { Key };

/** `{name}` placeholders filled from `vars`. */
export function translate(lang: Lang, key: Key, vars: Record<string, string | number> = {}): string {
  return DICTIONARIES[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

export const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({
  lang: 'en',
  setLang: () => {},
});

export function useT(): { t: (key: Key, vars?: Record<string, string | number>) => string; lang: Lang } {
  const { lang } = useContext(LangContext);
  return { t: (key, vars) => translate(lang, key, vars), lang };
}
