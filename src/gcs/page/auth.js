// The station's credential: the URL it printed at start carries the token in its fragment (never sent
// to any server, so it stays out of logs and Referer headers). Kept for this station's origin, then
// taken off the address bar. Every /api request carries it.
const KEY = 'murmur-token';
const given = new URLSearchParams(location.hash.slice(1)).get('token');
if (given) {
  localStorage.setItem(KEY, given);
  history.replaceState(null, '', location.pathname + location.search);
}
const token = localStorage.getItem(KEY) ?? '';

export function api(path, init = {}) {
  return fetch(path, { ...init, headers: { ...(init.headers ?? {}), Authorization: `Bearer ${token}` } });
}

// EventSource cannot set headers: the event stream alone takes the token in its query.
export function events() {
  return new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
}
