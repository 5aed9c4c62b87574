// ECharts ships its locales without type declarations; each is a locale object for registerLocale.
declare module 'echarts/lib/i18n/langFR.js' {
  const locale: Parameters<typeof import('echarts/core').registerLocale>[1];
  export default locale;
}
