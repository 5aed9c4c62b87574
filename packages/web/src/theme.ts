/**
 * The app's Mantine theme, one per language. Darker primary shade: white text on buttons keeps a
 * contrast ratio above 4.5:1 (WCAG AA). Number boxes write the decimal mark as the language does
 * (27,4 in French, 27.4 in English) and take either mark typed or pasted as the decimal mark, as
 * Mantine's NumberInput does by default.
 */
import { createTheme, type MantineThemeOverride, NumberInput } from '@mantine/core';
import type { Lang } from './i18n/index.ts';

const themeOf = (lang: Lang): MantineThemeOverride =>
  createTheme({
    primaryColor: 'indigo',
    primaryShade: 8,
    fontSizes: { md: '15px' },
    components: {
      NumberInput: NumberInput.extend({ defaultProps: { decimalSeparator: lang === 'fr' ? ',' : '.' } }),
    },
  });

export const THEMES: Record<Lang, MantineThemeOverride> = { en: themeOf('en'), fr: themeOf('fr') };
