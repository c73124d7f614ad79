// The explorer's page: no framework, no build step, nothing from outside the server.
'use strict';

const PAGE = 64;          // thumbnails per grid page
const PLOT = 220;         // pad and scatter canvas size, px

const state = { info: null, page: 0, index: -1, panels: [], factorsOnPage: [] };

const $ = id => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

function status(text) { $('status').textContent = text; }

async function get(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url.split('?')[0]}: ${r.status} ${await r.text()}`);
  return r;
}
const json = async url => (await get(url)).json();

async function drawPng(canvas, url) {
  const bitmap = await createImageBitmap(await (await get(url)).blob());
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
}

// ---- the dataset grid ---------------------------------------------------------------------

function pages() { return Math.max(1, Math.ceil(state.info.dataset.count / PAGE)); }

async function showPage(page) {
  state.page = Math.min(Math.max(0, page), pages() - 1);
  $('page').value = state.page + 1;
  const start = state.page * PAGE, count = Math.min(PAGE, state.info.dataset.count - start);
  const grid = $('grid');
  grid.replaceChildren();
  for (let i = start; i < start + count; i++) {
    const img = el('img', { src: `/api/image?index=${i}`, alt: `image ${i}`, title: `image ${i}`, 'data-index': i });
    if (i === state.index) img.classList.add('picked');
    img.addEventListener('click', () => pick(i));
    grid.append(img);
  }
  if (state.info.dataset.factorNames.length > 0) {
    const f = await json(`/api/factors?start=${start}&count=${count}`);
    if (state.page * PAGE !== start) return;   // another page was asked for meanwhile
    f.classes.forEach((classes, j) => {
      const img = grid.children[j];
      if (img) img.title = `image ${start + j}\n` + factorText(classes).join('\n');
    });
  }
}

function factorText(classes) {
  return state.info.dataset.factorNames.map((n, f) => `${n}: ${classes[f]} (of ${state.info.dataset.factorSizes[f]})`);
}

// ---- picking an input ---------------------------------------------------------------------

async function pick(index) {
  state.index = index;
  for (const img of $('grid').children) img.classList.toggle('picked', Number(img.dataset.index) === index);
  $('picked-index').textContent = `#${index}`;
  const table = $('picked-factors');
  table.replaceChildren();
  if (state.info.dataset.factorNames.length > 0) {
    const f = await json(`/api/factors?start=${index}&count=1`);
    state.info.dataset.factorNames.forEach((n, j) =>
      table.append(el('tr', {}, el('td', { textContent: n }), el('td', { textContent: `${f.classes[0][j]} (of ${state.info.dataset.factorSizes[j]})` }))));
  }
  await Promise.all(state.panels.map(p => p.setInput(index)));
  document.body.dataset.picked = index;
}

// ---- one model's panel --------------------------------------------------------------------

class Panel {
  constructor(model, info, sample) {
    this.model = model;
    this.info = info;
    this.k = info.latent;
    this.sample = sample;
    this.mu = new Array(this.k).fill(0);
    this.z = new Array(this.k).fill(0);
    this.wanted = null;
    this.busy = false;
    this.decodes = 0;
    // slider (and pad) range per latent: covers the sample's μ, within the server's bound
    this.range = Array.from({ length: this.k }, (_, j) => {
      let m = 3;
      for (let s = j; s < sample.mu.length; s += this.k) m = Math.max(m, Math.abs(sample.mu[s]) * 1.1);
      return Math.min(Math.ceil(m), state.info.maxAbsZ);
    });
    this.build();
  }

  build() {
    const size = state.info.dataset.size, info = this.info;
    const canvas = cls => el('canvas', { class: cls, width: size, height: size });
    this.input = canvas('input'); this.recon = canvas('recon'); this.decoded = canvas('decoded');
    this.sliders = [];
    const list = el('div', { class: 'sliders' });
    for (const j of info.order) {
      const slider = el('input', { type: 'range', class: 'slider', min: -this.range[j], max: this.range[j], step: 'any', value: 0, 'data-latent': j });
      const out = el('output', { textContent: '0.00' });
      slider.addEventListener('input', () => { this.z[j] = Number(slider.value); out.textContent = this.z[j].toFixed(2); this.changed(); });
      this.sliders[j] = { slider, out };
      list.append(el('div', { class: 'latent' + (info.collapsed[j] ? ' collapsed' : ''), title: `latent ${j}: mean KL ${info.kl[j].toFixed(4)} nats` },
        el('label', { textContent: `z${j}` }), slider, out, el('span', { class: 'kl', textContent: `KL ${info.kl[j].toFixed(2)}` })));
    }
    const reset = el('button', { type: 'button', class: 'reset', textContent: 'back to the input\u2019s \u03bc' });
    reset.addEventListener('click', () => { this.setCode(this.mu); });

    const option = (value, text) => el('option', { value, textContent: text });
    this.padX = el('select', { class: 'pad-x' }); this.padY = el('select', { class: 'pad-y' });
    for (const j of info.order) { this.padX.append(option(j, `z${j}`)); this.padY.append(option(j, `z${j}`)); }
    this.padX.value = info.order[0]; this.padY.value = info.order[Math.min(1, this.k - 1)];
    this.colour = el('select', { class: 'colour' }, option(-1, 'none'));
    state.info.dataset.factorNames.forEach((n, f) => this.colour.append(option(f, n)));
    if (state.info.dataset.factorNames.length > 0) this.colour.value = 0;
    for (const s of [this.padX, this.padY, this.colour]) s.addEventListener('change', () => this.drawPlots());
    this.pad = el('canvas', { class: 'pad', width: PLOT, height: PLOT });
    this.scatter = el('canvas', { class: 'scatter', width: PLOT, height: PLOT });
    this.pad.addEventListener('pointerdown', e => { this.pad.setPointerCapture(e.pointerId); this.padAt(e); });
    this.pad.addEventListener('pointermove', e => { if (e.buttons & 1) this.padAt(e); });

    const fig = (c, caption) => el('figure', {}, c, el('figcaption', { textContent: caption }));
    this.el = el('div', { class: 'panel', 'data-model': this.model, 'data-decodes': 0 },
      el('h2', { textContent: [info.name, ...(info.run === info.name ? [] : [info.run]), `k = ${this.k}`].join(' \u00b7 ') }),
      el('div', { class: 'images' }, fig(this.input, 'input'), fig(this.recon, 'reconstruction'), fig(this.decoded, 'decoded z')),
      reset, list,
      el('div', { class: 'pad-controls' }, 'pad ', this.padX, ' \u00d7 ', this.padY, ' colour by ', this.colour),
      el('div', { class: 'pad-row' }, fig(this.pad, 'drag to decode'), fig(this.scatter, '')));
    this.scatterCaption = this.scatter.nextElementSibling;
    $('panels').append(this.el);
    this.drawPlots();
  }

  async setInput(index) {
    const [code] = await Promise.all([
      json(`/api/encode?model=${this.model}&index=${index}`),
      drawPng(this.input, `/api/image?index=${index}`),
      drawPng(this.recon, `/api/reconstruct?model=${this.model}&index=${index}`),
    ]);
    this.mu = code.mu;
    this.setCode(code.mu);
  }

  setCode(z) {
    this.z = Array.from(z);
    this.z.forEach((v, j) => {
      const { slider, out } = this.sliders[j];
      // a μ beyond the usual range widens it (up to the server's bound) rather than being clamped
      const r = Math.min(Math.max(this.range[j], Math.ceil(Math.abs(v))), state.info.maxAbsZ);
      slider.min = -r; slider.max = r;
      slider.value = v;
      out.textContent = v.toFixed(2);
    });
    this.changed();
  }

  changed() {
    this.wanted = this.z.slice();
    this.drawPlots();
    if (!this.busy) this.pump();
  }

  // Only the newest code waits while one decodes: a moving slider never piles up requests.
  async pump() {
    this.busy = true;
    this.el.dataset.idle = 'false';
    try {
      while (this.wanted) {
        const z = this.wanted;
        this.wanted = null;
        await drawPng(this.decoded, `/api/decode?model=${this.model}&z=${z.map(v => v.toFixed(4)).join(',')}`);
        this.el.dataset.decodes = ++this.decodes;
      }
    } catch (e) {
      status(e.message);
    } finally {
      this.busy = false;
      this.el.dataset.idle = 'true';
    }
  }

  axes() {
    const a = Number(this.padX.value), b = Number(this.padY.value);
    return { a, b, ra: this.range[a], rb: this.range[b] };
  }

  padAt(e) {
    const { a, b, ra, rb } = this.axes();
    const box = this.pad.getBoundingClientRect();
    const fx = Math.min(Math.max((e.clientX - box.left) / box.width, 0), 1);
    const fy = Math.min(Math.max((e.clientY - box.top) / box.height, 0), 1);
    const z = this.z.slice();
    z[a] = (2 * fx - 1) * ra;
    if (b !== a) z[b] = (1 - 2 * fy) * rb;
    this.setCode(z);
  }

  drawPlots() {
    const { a, b, ra, rb } = this.axes();
    const px = v => (v / ra + 1) / 2 * PLOT, py = v => (1 - v / rb) / 2 * PLOT;
    for (const c of [this.pad, this.scatter]) {
      const ctx = c.getContext('2d');
      ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, PLOT, PLOT);
      ctx.strokeStyle = '#e4e4e4'; ctx.lineWidth = 1;
      for (let t = -Math.floor(ra); t <= ra; t++) { ctx.beginPath(); ctx.moveTo(px(t), 0); ctx.lineTo(px(t), PLOT); ctx.stroke(); }
      for (let t = -Math.floor(rb); t <= rb; t++) { ctx.beginPath(); ctx.moveTo(0, py(t)); ctx.lineTo(PLOT, py(t)); ctx.stroke(); }
      ctx.strokeStyle = '#999';
      ctx.beginPath(); ctx.moveTo(px(0), 0); ctx.lineTo(px(0), PLOT); ctx.moveTo(0, py(0)); ctx.lineTo(PLOT, py(0)); ctx.stroke();
      ctx.fillStyle = '#555'; ctx.font = '11px sans-serif';
      ctx.fillText(`z${a} \u2192 \u00b1${ra}`, PLOT - 62, py(0) - 4);
      ctx.fillText(`z${b} \u2191 \u00b1${rb}`, px(0) + 4, 12);
    }
    // the sample's μ, coloured by the chosen factor's class
    const ctx = this.scatter.getContext('2d');
    const f = Number(this.colour.value), nf = state.info.dataset.factorNames.length, k = this.k;
    this.scatterCaption.textContent = `\u03bc of ${state.info.dataset.sample} images` +
      (f >= 0 ? `; ${state.info.dataset.factorNames[f]}: first class red \u2192 last magenta` : '');
    const size = f >= 0 ? state.info.dataset.factorSizes[f] : 1;
    const n = this.sample.mu.length / k;
    ctx.globalAlpha = 0.6;
    for (let s = 0; s < n; s++) {
      ctx.fillStyle = f >= 0 ? `hsl(${Math.round(300 * this.sample.factors[s * nf + f] / Math.max(1, size - 1))}, 80%, 45%)` : '#3060c0';
      ctx.fillRect(px(this.sample.mu[s * k + a]) - 1.5, py(this.sample.mu[s * k + b]) - 1.5, 3, 3);
    }
    ctx.globalAlpha = 1;
    // the input's μ (hollow) and the decoded code (filled) on both
    for (const c of [this.pad, this.scatter]) {
      const g = c.getContext('2d');
      g.strokeStyle = '#e0007a'; g.lineWidth = 2;
      g.beginPath(); g.arc(px(this.mu[a]), py(this.mu[b]), 6, 0, 2 * Math.PI); g.stroke();
      g.fillStyle = '#111';
      g.beginPath(); g.arc(px(this.z[a]), py(this.z[b]), 4, 0, 2 * Math.PI); g.fill();
    }
  }
}

// ---- start ------------------------------------------------------------------------------

async function start() {
  try {
    state.info = await json('/api/info');
    const d = state.info.dataset;
    $('dataset-info').textContent =
      `${d.count} images of ${d.size}\u00d7${d.size}` + (d.factorNames.length ? `; factors: ${d.factorNames.join(', ')}` : '; no factors') +
      `; sliders ordered by mean KL over ${d.sample} images, collapsed below ${state.info.collapsedKl} nats`;
    $('pages').textContent = pages();
    $('prev').addEventListener('click', () => showPage(state.page - 1));
    $('next').addEventListener('click', () => showPage(state.page + 1));
    $('page').addEventListener('change', () => showPage(Number($('page').value) - 1));
    const samples = await Promise.all(state.info.models.map((_, m) => json(`/api/sample?model=${m}`)));
    state.panels = state.info.models.map((info, m) => new Panel(m, info, samples[m]));
    await showPage(0);
    await pick(0);
    document.body.dataset.ready = 'true';
  } catch (e) {
    status(e.message);
  }
}

start();
