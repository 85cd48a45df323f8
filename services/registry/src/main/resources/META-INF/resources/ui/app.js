// The registry's web UI: hash routes (#/..., so every page has a link and back/forward work), a sign-in box for the
// bearer token, and one module per page. Pages render what the REST API answers; errors are shown, not swallowed.

import * as api from './api.js';
import {h, replace} from './dom.js';
import {problem, loading} from './feedback.js';
import * as session from './session.js';
import {catalogPage} from './pages/catalog.js';
import {adapterPage} from './pages/adapter.js';
import {versionPage} from './pages/version.js';
import {comparePage} from './pages/compare.js';
import {baseModelsPage} from './pages/base-models.js';

const SEGMENT = '([^/?]+)';
const ROUTES = [
  {pattern: /^\/?$/, page: catalogPage, nav: 'catalog'},
  {pattern: new RegExp(`^/adapters/${SEGMENT}/${SEGMENT}$`), page: adapterPage, nav: 'catalog'},
  {pattern: new RegExp(`^/adapters/${SEGMENT}/${SEGMENT}/versions/${SEGMENT}$`), page: versionPage, nav: 'catalog'},
  {pattern: new RegExp(`^/adapters/${SEGMENT}/${SEGMENT}/compare$`), page: comparePage, nav: 'catalog'},
  {pattern: /^\/base-models$/, page: baseModelsPage, nav: 'base-models'},
];

const view = document.getElementById('view');
const sessionBox = document.getElementById('session');
const signInSection = document.getElementById('sign-in');
const signInForm = document.getElementById('sign-in-form');
const signInProblem = document.getElementById('sign-in-problem');
const tokenInput = document.getElementById('token-input');

/** Incremented per navigation: a page whose data arrives after the reader moved on is not shown. */
let generation = 0;

/** The current hash as {path, query}. */
function location() {
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = hash.split('?');
  return {path, query: new URLSearchParams(search)};
}

/** Goes to a route: navigate('/adapters/a/b', {tab: 1}). */
export function navigate(path, parameters = {}) {
  window.location.hash = `#${path}${api.query(parameters)}`;
}

async function render() {
  const current = ++generation;
  const {path, query} = location();
  const route = ROUTES.find(candidate => candidate.pattern.test(path));
  document.querySelectorAll('[data-nav]').forEach(link => {
    if (route && link.dataset.nav === route.nav) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  });
  if (!route) {
    show(current, h('section', {}, h('h1', {}, 'Page not found'),
      h('p', {}, 'No page lives at ', h('code', {}, `#${path}`), '. ', h('a', {href: '#/'}, 'Back to the catalog'))));
    return;
  }
  if (!session.token()) {
    showSignIn(true);
    show(current, h('section', {}, h('h1', {}, 'Sign in to browse the registry'),
      h('p', {}, 'Adapters are private to their teams, so every page needs your token. Paste it in the box above.')));
    return;
  }
  const parameters = route.pattern.exec(path).slice(1).map(decodeURIComponent);
  show(current, loading('the page'), false);
  try {
    const content = await route.page({parameters, query, navigate, refresh: render});
    show(current, content);
  } catch (error) {
    show(current, h('section', {}, h('h1', {}, 'Could not load this page'), problem(error),
      h('p', {}, h('a', {href: '#/'}, 'Back to the catalog'))));
  }
}

/** Puts a page in the view (unless a newer navigation started) and moves focus to its heading. */
function show(current, content, focus = true) {
  if (current !== generation) {
    return;
  }
  replace(view, content);
  const heading = view.querySelector('h1');
  document.title = heading ? `${heading.textContent} · LoRA Foundry registry` : 'LoRA Foundry registry';
  if (focus && heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({preventScroll: false});
  }
}

// ------------------------------------------------------------------------------------------------ session

function showSignIn(visible) {
  signInSection.hidden = !visible;
  if (visible) {
    tokenInput.focus();
  }
}

function renderSession() {
  const who = session.caller();
  if (!who) {
    replace(sessionBox, h('button', {type: 'button', id: 'show-sign-in', onclick: () => showSignIn(true)}, 'Sign in'));
    return;
  }
  const roles = who.roles.length ? who.roles.join(', ') : 'no role';
  const teams = who.teams.length ? who.teams.join(', ') : 'no team';
  replace(sessionBox,
    h('span', {id: 'signed-in-as', 'data-subject': who.subject},
      'Signed in as ', h('strong', {}, who.subject), ` (${roles}; ${teams})`),
    who.expiresAt ? h('span', {class: 'muted'}, ` · until ${who.expiresAt.toLocaleTimeString()}`) : null,
    ' ',
    h('button', {type: 'button', id: 'sign-out', class: 'secondary', onclick: () => {
      session.signOut();
      renderSession();
      render();
    }}, 'Sign out'));
}

signInForm.addEventListener('submit', async event => {
  event.preventDefault();
  signInProblem.hidden = true;
  const value = tokenInput.value.trim();
  try {
    const claims = session.decode(value);
    if (claims.expiresAt && claims.expiresAt < new Date()) {
      throw new Error(`This token expired at ${claims.expiresAt.toLocaleString()}; print a fresh one.`);
    }
    session.signIn(value);
    await api.get('/adapters?limit=1'); // the API, not this page, decides whether the token is good
  } catch (error) {
    session.signOut();
    signInProblem.textContent = error.code ? `${error.code}: ${error.message}` : error.message;
    signInProblem.hidden = false;
    renderSession();
    return;
  }
  tokenInput.value = '';
  showSignIn(false);
  renderSession();
  render();
});

api.onUnauthorized(() => {
  session.signOut();
  renderSession();
  showSignIn(true);
});

// The skip link moves focus to the content without touching the address (the hash holds the route).
document.querySelector('.skip-link').addEventListener('click', event => {
  event.preventDefault();
  view.focus();
});

window.addEventListener('hashchange', render);
renderSession();
render();
