// The signed-in token: kept in sessionStorage (this tab only, gone when it closes) and sent as a bearer token.
// Its payload is decoded for display only; the API verifies the signature and decides what the caller may do.

const KEY = 'foundry.registry.token';

/** The token, or null when nobody is signed in. */
export function token() {
  return sessionStorage.getItem(KEY);
}

export function signIn(value) {
  sessionStorage.setItem(KEY, value);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

/**
 * What the token says about its holder: {subject, teams, roles, expiresAt}. Throws an Error a person can act on when
 * the text is not a JWT (three base64url parts with a JSON payload).
 */
export function decode(value) {
  const parts = (value ?? '').trim().split('.');
  if (parts.length !== 3) {
    throw new Error('This is not a JWT: expected three dot-separated parts (header.payload.signature).');
  }
  let payload;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64 + '='.repeat((4 - base64.length % 4) % 4)), c => c.charCodeAt(0));
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error('The token\'s payload is not base64url-encoded JSON; copy the whole token again.');
  }
  return {
    subject: payload.sub ?? payload.upn ?? '?',
    teams: Array.isArray(payload.teams) ? payload.teams : [],
    roles: Array.isArray(payload.groups) ? payload.groups : [],
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null,
  };
}

/** The signed-in caller (decoded), or null. */
export function caller() {
  const value = token();
  if (!value) {
    return null;
  }
  try {
    return decode(value);
  } catch {
    return null;
  }
}

/** Whether the caller may act for the team (member, maintainer or admin), as far as the token says. */
export function canActFor(team) {
  const who = caller();
  return !!who && (who.roles.includes('admin') || who.teams.includes(team));
}

/** Whether the caller may maintain the team's adapters (maintainer of it, or admin), as far as the token says. */
export function canMaintain(team) {
  const who = caller();
  return !!who && (who.roles.includes('admin') || (who.roles.includes('maintainer') && who.teams.includes(team)));
}
