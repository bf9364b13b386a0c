import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { BrowserRouter } from 'react-router';
import App from './app/App';
import { setupStore } from './app/store';
import { selectLanguage } from './features/language/languageSlice';
import './styles.css';
import { loadCatalogue } from './translations/catalogues';

const store = setupStore();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// The first screen waits for its language's catalogue (a chunk of its own, fetched while
// the config is requested): it never shows message ids. English if that one fails.
loadCatalogue(selectLanguage(store.getState()))
  .catch(() => loadCatalogue('en'))
  .catch(() => undefined)
  .finally(() =>
    createRoot(root).render(
      <StrictMode>
        <Provider store={store}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </Provider>
      </StrictMode>,
    ),
  );
