import '@mantine/core/styles.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';

// Darker primary shade: white text on buttons keeps a contrast ratio above 4.5:1 (WCAG AA).
const theme = createTheme({ primaryColor: 'indigo', primaryShade: 8, fontSizes: { md: '15px' } });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <App />
    </MantineProvider>
  </StrictMode>,
);
