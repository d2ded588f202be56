// Panels for the mission loop: the operators' orders with each drone's answer, victims a ground team can go
// to (decimal and MGRS coordinates, first and last seen, by whom, copy), fact ages, and the map legend.
import { COLORS, sectorColor } from './app-colors.js';

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** "42 s", "3 min", "2 h" old. */
export function age(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

const RESULT_MARK = { accepted: '✓', done: '✓✓', refused: '✗', waiting: '…' };

/** One line per order: what, how old, and a chip per concerned drone with its answer. */
export function orderItems(orders, nowT) {
  return orders.map((o) => {
    const li = document.createElement('li');
    li.setAttribute('data-order', o.id);
    const chips = Object.entries(o.acks)
      .map(([id, r]) => `<span class="ack ack-${r}" data-ack="${esc(id)}" data-result="${esc(r)}" title="node ${esc(id)}: ${esc(r)}">${esc(id)} ${RESULT_MARK[r] ?? '?'}</span>`)
      .join(' ');
    const n = Object.values(o.acks).filter((r) => r !== 'waiting').length;
    li.innerHTML = `<b>${esc(o.what)}</b> <small>${esc(o.id)} · ${age(nowT - o.t)} ago · ${n}/${Object.keys(o.acks).length} answered</small><br>${chips || '<small>no drone heard yet</small>'}`;
    return li;
  });
}

/** A victim line: state, people, where (decimal, MGRS), first/last seen and by whom, and its actions. */
export function victimItem(x, nowT) {
  const li = document.createElement('li');
  li.setAttribute('data-victim', x.id);
  li.setAttribute('data-state', x.state);
  const open = x.state === 'reported' || x.state === 'confirmed';
  const ll = `${x.lat.toFixed(6)}, ${x.lon.toFixed(6)}`;
  li.innerHTML =
    `<span class="state s-${x.state}">${x.state}</span> ${esc(x.id)}: ${x.count}× ${esc(x.condition)} (${x.confidence}%)` +
    (open ? `${x.state === 'reported' ? '<button data-do="confirmed">confirm</button>' : ''}<button data-do="rescued">rescued</button><button data-do="false_alarm">false alarm</button>` : '') +
    // the buttons stay on the first line: a click anywhere else on the entry shows the fact
    `<button data-copy="${esc(`${ll} (MGRS ${x.mgrs})`)}" title="copy the coordinates">copy</button>` +
    `<br><small class="where"><span data-ll>${ll}</span> · <span data-mgrs>${esc(x.mgrs)}</span></small>` +
    `<br><small>first seen ${age(nowT - x.firstSeen)} ago, last ${age(nowT - x.lastSeen)} ago, by ${x.seenBy.map((n) => `node ${n}`).join(', ')}</small>`;
  return li;
}

/** Copies text, also where the Clipboard API is missing (plain http from another device). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

/** The legend over the map (both renderers). */
export function legend() {
  const d = document.createElement('div');
  d.className = 'legend';
  d.id = 'legend';
  const row = (swatch, label) => `<div><span class="sw" style="${swatch}"></span>${label}</div>`;
  d.innerHTML = [
    row(`background:${COLORS.drone};border-radius:50%`, 'drone (label: node · age of its status)'),
    row(`background:${COLORS.victim.reported};border-radius:50%`, 'victim reported'),
    row(`background:${COLORS.victim.confirmed};border-radius:50%`, 'victim confirmed'),
    row(`background:${COLORS.victim.rescued};border-radius:50%`, 'victim rescued'),
    row(`background:${COLORS.hazard};border-radius:50%`, 'hazard'),
    row(`background:${COLORS.roadBlocked};height:4px`, 'blocked road'),
    row(`background:${COLORS.track};height:2px`, 'track'),
    row(`background:${COLORS.coverage};opacity:.4`, 'searched'),
    row(`border:2px dashed ${COLORS.search}`, 'search area'),
    row(`background:${COLORS.nofly};opacity:.4`, 'no-fly zone'),
    // one row, two swatches: the legend must leave the map's corner free
    `<div data-legend="sector"><span class="sw" style="border:2px solid ${sectorColor(0)}"></span><span class="sw" style="border:2px dashed ${sectorColor(1)}" data-legend="share"></span>sector S1 · node flying it / taken over</div>`,
  ].join('');
  return d;
}
