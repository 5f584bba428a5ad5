// EventSsm viewer page (docs/VIEWER.md). Plain JavaScript, no dependencies: the data block above this script holds
// the frames (2-bit polarity planes, zlib, base64), the boxes per frame, the metrics and the representation bins.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);

  function fail(message) {
    const e = $('error');
    e.textContent = message;
    e.hidden = false;
  }

  let data;
  try {
    data = JSON.parse($('viewer-data').textContent);
  } catch (err) {
    fail('The page data could not be read: ' + err.message);
    return;
  }
  if (data.format !== 'eventssm-viewer/1') {
    fail('This page holds data of format ' + data.format + ', which this viewer does not know.');
    return;
  }
  if (typeof DecompressionStream === 'undefined') {
    fail('This browser has no DecompressionStream; open the page in a current Chromium, Firefox or Safari.');
    return;
  }

  const W = data.width;
  const H = data.height;
  const N = data.times.length;
  const stepMs = data.stepUs / 1000;
  const state = {
    frame: 0,
    playing: false,
    speed: 1,
    showPred: data.pred !== null,
    showGt: data.gt !== null,
    conf: Math.max(data.conf, data.minConf),
    coloring: data.coloring,
    zoom: 0,
    scale: 1,
    drawn: { pred: 0, gt: 0, tags: 0 },
  };

  // ---- decoding -------------------------------------------------------------------------------------------------
  function bytesOf(base64) {
    const bin = atob(base64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  }

  async function inflate(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // A small LRU of decoded frames: scrubbing back and forth decodes each frame once.
  function lru(limit) {
    const map = new Map();
    return (key, make) => {
      if (map.has(key)) {
        const v = map.get(key);
        map.delete(key);
        map.set(key, v);
        return v;
      }
      const v = make();
      map.set(key, v);
      if (map.size > limit) {
        map.delete(map.keys().next().value);
      }
      return v;
    };
  }

  const planeCache = lru(128);
  function plane(i) {
    return planeCache(i, async () => {
      const packed = await inflate(bytesOf(data.planes[i]));
      const out = new Uint8Array(W * H);
      for (let k = 0; k < out.length; k++) {
        out[k] = (packed[k >> 2] >> ((k & 3) * 2)) & 3;
      }
      return out;
    });
  }

  const reprCache = lru(16);
  function histogram(slot) {
    return reprCache(slot, () => inflate(bytesOf(data.repr.data[slot])));
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const css = (rgb) => 'rgb(' + rgb[0] + ',' + rgb[1] + ',' + rgb[2] + ')';
  const classOf = (c) => data.classes[c] || { name: 'class' + c, color: [255, 0, 255] };
  const contrast = (rgb) => (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 128 ? '#000' : '#fff');
  const fmtTime = (us) => (us / 1e6).toFixed(3) + ' s';
  const fmt = (v, d) => (v < 0 ? 'n/a' : v.toFixed(d));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function predsAt(i) {
    if (data.pred === null) {
      return [];
    }
    return data.pred[i].filter((b) => b[5] >= state.conf);
  }

  function gtAt(i) {
    return data.gt === null ? [] : data.gt[i];
  }

  // Pixel edges of a box at scale s: [x0, y0, x1, y1] inclusive, as cv2.rectangle and BoxPainter.
  function edges(b, s) {
    const x0 = Math.floor(b[0] * s);
    const y0 = Math.floor(b[1] * s);
    const x1 = Math.max(x0, Math.ceil((b[0] + b[2]) * s) - 1);
    const y1 = Math.max(y0, Math.ceil((b[1] + b[3]) * s) - 1);
    return [x0, y0, x1, y1];
  }

  // ---- the frame canvas -------------------------------------------------------------------------------------------
  const canvas = $('frame');
  const ctx = canvas.getContext('2d');
  const sensor = document.createElement('canvas');
  sensor.width = W;
  sensor.height = H;
  const sensorCtx = sensor.getContext('2d');
  const image = sensorCtx.createImageData(W, H);

  function fitScale() {
    if (state.zoom > 0) {
      return state.zoom;
    }
    const avail = $('canvas-wrap').clientWidth || W;
    // Small sensors (Gen1 304×240) are enlarged at least 2×; large ones fit the width.
    return clamp(Math.floor(avail / W), W < 640 ? 2 : 1, 4);
  }

  function solidRect(r, th) {
    const [x0, y0, x1, y1] = r;
    ctx.fillRect(x0, y0, x1 - x0 + 1, th);
    ctx.fillRect(x0, y1 - th + 1, x1 - x0 + 1, th);
    ctx.fillRect(x0, y0, th, y1 - y0 + 1);
    ctx.fillRect(x1 - th + 1, y0, th, y1 - y0 + 1);
  }

  // Dashes start at every corner, so corners are always drawn.
  function dashedRect(r, th, dash) {
    const [x0, y0, x1, y1] = r;
    for (let x = x0; x <= x1; x += 2 * dash) {
      const len = Math.min(dash, x1 - x + 1);
      ctx.fillRect(x, y0, len, th);
      ctx.fillRect(x, y1 - th + 1, len, th);
    }
    for (let y = y0; y <= y1; y += 2 * dash) {
      const len = Math.min(dash, y1 - y + 1);
      ctx.fillRect(x0, y, th, len);
      ctx.fillRect(x1 - th + 1, y, th, len);
    }
    ctx.fillRect(x1 - th + 1, y0, th, th);
    ctx.fillRect(x0, y1 - th + 1, th, th);
    ctx.fillRect(x1 - th + 1, y1 - th + 1, th, th);
  }

  function overlaps(a, placed) {
    return placed.some((b) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3]);
  }

  // A tag goes above its box, else below, else inside the top edge, else in the first free slot further down; with
  // no free slot it is left out (the box list still names the box), so tags never pile up on each other.
  function placeTag(r, w, h, placed) {
    const x = clamp(r[0], 0, Math.max(0, canvas.width - w));
    const candidates = [r[1] - h, r[3] + 1, r[1]];
    for (let y = r[3] + 1 + h; y + h <= canvas.height && candidates.length < 12; y += h) {
      candidates.push(y);
    }
    for (const y of candidates) {
      const rect = [x, y, w, h];
      if (y >= 0 && y + h <= canvas.height && !overlaps(rect, placed)) {
        return rect;
      }
    }
    return null;
  }

  function draw(pl, i) {
    const s = state.scale;
    if (canvas.width !== W * s || canvas.height !== H * s) {
      canvas.width = W * s;
      canvas.height = H * s;
    }
    const pal = data.palettes[state.coloring];
    const px = image.data;
    for (let k = 0, j = 0; k < pl.length; k++, j += 4) {
      const c = pal[pl[k]];
      px[j] = c[0];
      px[j + 1] = c[1];
      px[j + 2] = c[2];
      px[j + 3] = 255;
    }
    sensorCtx.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(sensor, 0, 0, W * s, H * s);

    const th = s >= 2 ? 2 : 1;
    const gt = state.showGt ? gtAt(i) : [];
    const pred = state.showPred ? predsAt(i).slice().sort((a, b) => a[5] - b[5]) : [];
    for (const b of gt) {
      ctx.fillStyle = css(classOf(b[4]).color);
      dashedRect(edges(b, s), th, 3 * s);
    }
    for (const b of pred) {
      ctx.fillStyle = css(classOf(b[4]).color);
      solidRect(edges(b, s), th);
    }
    // Tags for the predictions, best score first so it gets the place next to its box.
    const fontPx = Math.round(9 + 1.5 * s);
    ctx.font = '600 ' + fontPx + 'px system-ui, "DejaVu Sans", sans-serif';
    ctx.textBaseline = 'top';
    const placed = [];
    let tags = 0;
    for (const b of pred.slice().reverse()) {
      const cls = classOf(b[4]);
      const text = cls.name + ' ' + b[5].toFixed(2);
      const w = Math.ceil(ctx.measureText(text).width) + 6;
      const h = fontPx + 4;
      const rect = placeTag(edges(b, s), w, h, placed);
      if (rect === null) {
        continue;
      }
      placed.push(rect);
      tags++;
      ctx.fillStyle = css(cls.color);
      ctx.fillRect(rect[0], rect[1], rect[2], rect[3]);
      ctx.fillStyle = contrast(cls.color);
      ctx.fillText(text, rect[0] + 3, rect[1] + 2);
    }
    // The time in the bottom-left corner.
    const label = 't = ' + fmtTime(data.times[i]);
    ctx.font = fontPx + 'px ui-monospace, "DejaVu Sans Mono", monospace';
    const tw = Math.ceil(ctx.measureText(label).width) + 8;
    ctx.fillStyle = 'rgba(0,0,0,0.65)';
    ctx.fillRect(0, canvas.height - fontPx - 6, tw, fontPx + 6);
    ctx.fillStyle = '#fff';
    ctx.fillText(label, 4, canvas.height - fontPx - 3);
    state.drawn = { pred: pred.length, gt: gt.length, tags: tags };
  }

  // ---- side panels ------------------------------------------------------------------------------------------------
  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) {
      td.className = cls;
    }
    tr.appendChild(td);
    return td;
  }

  function swatchCell(tr, cls, prefix) {
    const td = cell(tr, '');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = css(cls.color);
    td.appendChild(sw);
    td.appendChild(document.createTextNode(prefix + cls.name));
  }

  function updateList(i) {
    const list = $('box-list');
    list.textContent = '';
    const all = data.pred === null ? [] : data.pred[i];
    const shown = predsAt(i).slice().sort((a, b) => b[5] - a[5]);
    const gt = gtAt(i);
    const parts = [];
    if (data.pred !== null) {
      parts.push(shown.length + ' predicted');
    }
    if (data.gt !== null) {
      parts.push(gt.length + ' labelled');
    }
    $('box-count').textContent = parts.length ? '(' + parts.join(', ') + ')' : '';
    if (!shown.length && !gt.length) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = data.pred === null && data.gt === null ? 'No boxes were given (--pred, --labels, --checkpoint).' : 'None.';
      list.appendChild(p);
      return;
    }
    const table = document.createElement('table');
    const head = document.createElement('tr');
    for (const h of ['class', 'score', 'x', 'y', 'w', 'h']) {
      const th = document.createElement('th');
      th.textContent = h;
      head.appendChild(th);
    }
    table.appendChild(head);
    for (const b of shown) {
      const tr = document.createElement('tr');
      swatchCell(tr, classOf(b[4]), '');
      cell(tr, b[5].toFixed(3));
      for (let k = 0; k < 4; k++) {
        cell(tr, b[k].toFixed(1));
      }
      table.appendChild(tr);
    }
    for (const b of gt) {
      const tr = document.createElement('tr');
      swatchCell(tr, classOf(b[4]), 'GT ');
      cell(tr, '–', 'dim');
      for (let k = 0; k < 4; k++) {
        cell(tr, b[k].toFixed(1), 'dim');
      }
      table.appendChild(tr);
    }
    list.appendChild(table);
    const hidden = all.length - shown.length;
    if (hidden > 0) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = '+' + hidden + ' prediction' + (hidden > 1 ? 's' : '') + ' below ' + state.conf.toFixed(2);
      list.appendChild(p);
    }
  }

  function buildMetrics() {
    const box = $('metrics');
    const m = data.metrics;
    if (m === null) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = data.gt === null
        ? 'Give the ground truth (--labels) to see AP here.'
        : 'Give predictions (--pred or --checkpoint) to see AP here.';
      box.appendChild(p);
      return;
    }
    const head = document.createElement('div');
    head.className = 'headline';
    for (const [name, v] of [['AP', m.AP], ['AP50', m.AP50], ['AP75', m.AP75]]) {
      const d = document.createElement('div');
      const big = document.createElement('div');
      big.className = 'big';
      big.textContent = fmt(v, 3);
      big.id = 'metric-' + name;
      const small = document.createElement('div');
      small.className = 'muted';
      small.textContent = name;
      d.appendChild(big);
      d.appendChild(small);
      head.appendChild(d);
    }
    box.appendChild(head);
    const table = document.createElement('table');
    const hr = document.createElement('tr');
    for (const h of ['class', 'AP']) {
      const th = document.createElement('th');
      th.textContent = h;
      hr.appendChild(th);
    }
    table.appendChild(hr);
    for (const [name, v] of Object.entries(m.perClass)) {
      const tr = document.createElement('tr');
      const cls = data.classes.find((c) => c.name === name) || { name: name, color: [128, 128, 128] };
      swatchCell(tr, cls, '');
      cell(tr, fmt(v, 3));
      table.appendChild(tr);
    }
    for (const [name, v] of [['AP small', m.APS], ['AP medium', m.APM], ['AP large', m.APL], ['AR@100', m.AR100]]) {
      const tr = document.createElement('tr');
      cell(tr, name, 'dim');
      cell(tr, fmt(v, 3), 'dim');
      table.appendChild(tr);
    }
    box.appendChild(table);
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = m.protocol + ' · ' + m.images + ' label frames, ' + m.gtBoxes + ' labelled boxes, ' + m.detections +
      ' detections. AP does not depend on the confidence slider.';
    box.appendChild(p);
  }

  function buildLegend() {
    const box = $('legend');
    for (const cls of data.classes) {
      const row = document.createElement('div');
      row.className = 'legend-row';
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = css(cls.color);
      row.appendChild(sw);
      row.appendChild(document.createTextNode(cls.name));
      box.appendChild(row);
    }
    for (const [dashed, text] of [[false, 'prediction (tag: class and score)'], [true, 'ground truth']]) {
      const row = document.createElement('div');
      row.className = 'legend-row';
      const line = document.createElement('span');
      line.className = 'legend-line' + (dashed ? ' dashed' : '');
      row.appendChild(line);
      row.appendChild(document.createTextNode(text));
      box.appendChild(row);
    }
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = 'Events of the last ' + (data.windowUs / 1000) + ' ms before each frame time; the last event at a pixel wins.';
    box.appendChild(p);
  }

  function buildInfo() {
    const table = $('info');
    const rows = data.info.slice();
    const duration = N > 0 ? (data.times[N - 1] - data.times[0] + data.stepUs) / 1e6 : 0;
    rows.push(['sensor', W + ' × ' + H]);
    rows.push(['frames', N + ' × ' + stepMs + ' ms (' + duration.toFixed(1) + ' s), window ' + data.windowUs / 1000 + ' ms']);
    for (const [k, v] of rows) {
      const tr = document.createElement('tr');
      cell(tr, k);
      cell(tr, v);
      table.appendChild(tr);
    }
    $('subtitle').textContent = W + '×' + H + ' · ' + duration.toFixed(1) + ' s · ' + N + ' frames';
  }

  // ---- activity strip under the timeline -------------------------------------------------------------------------
  const activity = $('activity');
  const reprFrames = data.repr ? data.repr.frames : [];

  function drawActivity() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(activity.clientWidth * dpr));
    const h = Math.max(1, Math.round(activity.clientHeight * dpr));
    if (activity.width !== w || activity.height !== h) {
      activity.width = w;
      activity.height = h;
    }
    const a = activity.getContext('2d');
    a.clearRect(0, 0, w, h);
    const counts = new Array(N).fill(0);
    let max = 1;
    if (data.pred !== null) {
      for (let i = 0; i < N; i++) {
        counts[i] = data.pred[i].reduce((n, b) => n + (b[5] >= state.conf ? 1 : 0), 0);
        max = Math.max(max, counts[i]);
      }
    }
    const fw = w / Math.max(1, N);
    a.fillStyle = '#4da3ff';
    for (let i = 0; i < N; i++) {
      if (counts[i] > 0) {
        const bh = Math.max(1, (h - 6) * counts[i] / max);
        a.fillRect(Math.floor(i * fw), h - 3 - bh, Math.max(1, Math.ceil(fw)), bh);
      }
    }
    if (data.gt !== null) {
      a.fillStyle = '#3ecf6e';
      for (let i = 0; i < N; i++) {
        if (data.gt[i].length > 0) {
          a.fillRect(Math.floor(i * fw), h - 3, Math.max(1, Math.ceil(fw)), 3);
        }
      }
    }
    a.fillStyle = '#c9a0ff';
    for (const k of reprFrames) {
      a.fillRect(Math.floor(k * fw), 0, Math.max(1, Math.ceil(fw)), 3);
    }
    a.fillStyle = '#fff';
    a.fillRect(Math.floor(state.frame * fw), 0, Math.max(2, Math.ceil(fw)), h);
  }

  activity.addEventListener('click', (e) => {
    const r = activity.getBoundingClientRect();
    show(Math.floor((e.clientX - r.left) / r.width * N));
  });

  // ---- representation view ---------------------------------------------------------------------------------------
  const reprCanvas = $('repr');
  const reprCtx = reprCanvas.getContext('2d');
  const gap = 4;

  function reprSlotFor(i) {
    // The stored frame at or before i, else the first after it.
    let lo = 0;
    let hi = reprFrames.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (reprFrames[mid] <= i) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return best >= 0 ? best : 0;
  }

  // Ten tiles, one per time bin, five to a row; in each, OFF counts are red and ON counts blue (both: magenta).
  async function drawRepr(i, isCurrent) {
    if (!data.repr) {
      return;
    }
    const r = data.repr;
    const slot = reprSlotFor(i);
    const hist = await histogram(slot);
    if (!isCurrent()) {
      return;
    }
    const cols = Math.min(5, r.bins);
    const rows = Math.ceil(r.bins / cols);
    const caption = 16;
    const cw = cols * (r.width + gap) - gap;
    const ch = rows * (r.height + gap + caption) - gap;
    if (reprCanvas.width !== cw || reprCanvas.height !== ch) {
      reprCanvas.width = cw;
      reprCanvas.height = ch;
    }
    const img = reprCtx.createImageData(cw, ch);
    const px = img.data;
    const plane = r.width * r.height;
    // Any count is visible; brightness grows with the count up to the cutoff.
    const level = (n) => (n === 0 ? 0 : Math.round(90 + 165 * (Math.min(n, r.cutoff) - 1) / Math.max(1, r.cutoff - 1)));
    for (let b = 0; b < r.bins; b++) {
      const ox = (b % cols) * (r.width + gap);
      const oy = Math.floor(b / cols) * (r.height + gap + caption) + caption;
      for (let y = 0; y < r.height; y++) {
        let j = ((oy + y) * cw + ox) * 4;
        let off = b * plane + y * r.width;
        let on = (b + r.bins) * plane + y * r.width;
        for (let x = 0; x < r.width; x++, j += 4, off++, on++) {
          const red = level(hist[off]);
          const blue = level(hist[on]);
          px[j] = red;
          px[j + 1] = Math.min(red, blue) >> 1;
          px[j + 2] = blue;
          px[j + 3] = 255;
        }
      }
    }
    reprCtx.putImageData(img, 0, 0);
    reprCtx.fillStyle = '#9aa0aa';
    reprCtx.font = '12px system-ui, "DejaVu Sans", sans-serif';
    reprCtx.textBaseline = 'top';
    const binMs = data.windowUs / 1000 / r.bins;
    for (let b = 0; b < r.bins; b++) {
      const ox = (b % cols) * (r.width + gap);
      const oy = Math.floor(b / cols) * (r.height + gap + caption);
      const text = 'bin ' + b + (b === 0 ? ' (oldest)' : b === r.bins - 1 ? ' (newest)' : '') + ' · channels ' + b + ' OFF, ' + (b + r.bins) + ' ON';
      reprCtx.fillText(text, ox + 2, oy + 2);
    }
    const k = reprFrames[slot];
    const which = k === i ? 'this frame' : 'frame ' + (k + 1) + ' (t = ' + fmtTime(data.times[k]) + '), the nearest with bins';
    $('repr-note').textContent = 'Bins of ' + which + ': the ' + r.bins + ' time bins (about ' + binMs.toFixed(1) +
      ' ms each, relative to the first and last event of the window), OFF counts red, ON counts blue, brighter = more events' +
      ' up to the count cutoff ' + r.cutoff + '. ' +
      (r.stride > 1 ? 'Every ' + r.stride + ' frames keep their bins (size budget; ticks above the timeline).' : 'Every frame has its bins.');
  }

  // ---- navigation -------------------------------------------------------------------------------------------------
  const timeline = $('timeline');
  timeline.max = String(Math.max(0, N - 1));
  let token = 0;
  let rendering = Promise.resolve();

  function show(i) {
    i = clamp(Math.round(i), 0, N - 1);
    state.frame = i;
    timeline.value = String(i);
    $('time').textContent = 't = ' + fmtTime(data.times[i]) + ' · frame ' + (i + 1) + ' / ' + N;
    const my = ++token;
    const isCurrent = () => my === token;
    rendering = (async () => {
      const pl = await plane(i);
      if (!isCurrent()) {
        return;
      }
      state.scale = fitScale();
      draw(pl, i);
      updateList(i);
      drawActivity();
      await drawRepr(i, isCurrent);
    })().catch((err) => fail('Frame ' + (i + 1) + ' could not be shown: ' + err.message));
    return rendering;
  }

  const redraw = () => show(state.frame);

  function setPlaying(on) {
    if (on === state.playing) {
      return;
    }
    state.playing = on;
    $('play').innerHTML = on ? '&#10074;&#10074; Pause' : '&#9654; Play';
    if (on) {
      playLoop();
    }
  }

  async function playLoop() {
    if (state.frame >= N - 1) {
      await show(0);
    }
    while (state.playing) {
      if (state.frame >= N - 1) {
        setPlaying(false);
        break;
      }
      const due = performance.now() + stepMs / state.speed;
      for (let k = 2; k <= 4 && state.frame + k < N; k++) {
        plane(state.frame + k); // decode ahead
      }
      await show(state.frame + 1);
      const wait = due - performance.now();
      if (wait > 0) {
        await sleep(wait);
      }
    }
  }

  function setConf(v) {
    state.conf = clamp(Math.round(v * 100) / 100, data.minConf, 1);
    $('conf').value = String(state.conf);
    $('conf-value').textContent = state.conf.toFixed(2);
    return redraw();
  }

  const speeds = [0.25, 0.5, 1, 2, 4];
  function setSpeed(v) {
    state.speed = v;
    $('speed').value = String(v);
  }

  function togglePred(on) {
    state.showPred = on && data.pred !== null;
    $('show-pred').checked = state.showPred;
    return redraw();
  }

  function toggleGt(on) {
    state.showGt = on && data.gt !== null;
    $('show-gt').checked = state.showGt;
    return redraw();
  }

  $('play').addEventListener('click', () => setPlaying(!state.playing));
  $('prev').addEventListener('click', () => show(state.frame - 1));
  $('next').addEventListener('click', () => show(state.frame + 1));
  $('speed').addEventListener('change', (e) => setSpeed(Number(e.target.value)));
  timeline.addEventListener('input', () => show(Number(timeline.value)));
  $('conf').addEventListener('input', (e) => setConf(Number(e.target.value)));
  $('show-pred').addEventListener('change', (e) => togglePred(e.target.checked));
  $('show-gt').addEventListener('change', (e) => toggleGt(e.target.checked));
  $('coloring').addEventListener('change', (e) => {
    state.coloring = e.target.value;
    redraw();
  });
  $('zoom').addEventListener('change', (e) => {
    state.zoom = Number(e.target.value);
    redraw();
  });
  window.addEventListener('resize', redraw);

  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (t && (t.tagName === 'SELECT' || (t.tagName === 'INPUT' && t.type === 'range'))) {
      return; // the focused control handles its own keys
    }
    if (t && t.tagName === 'BUTTON' && (e.key === ' ' || e.key === 'Enter')) {
      return; // the button's own click
    }
    if (e.ctrlKey || e.metaKey || e.altKey) {
      return;
    }
    const big = e.shiftKey ? 10 : 1;
    switch (e.key) {
      case ' ':
      case 'k':
        setPlaying(!state.playing);
        break;
      case 'ArrowRight':
      case 'l':
        setPlaying(false);
        show(state.frame + big);
        break;
      case 'ArrowLeft':
      case 'j':
        setPlaying(false);
        show(state.frame - big);
        break;
      case 'Home':
        show(0);
        break;
      case 'End':
        show(N - 1);
        break;
      case 'p':
        togglePred(!state.showPred);
        break;
      case 'g':
        toggleGt(!state.showGt);
        break;
      case ']':
        setConf(state.conf + 0.05);
        break;
      case '[':
        setConf(state.conf - 0.05);
        break;
      case '+':
      case '=':
        setSpeed(speeds[Math.min(speeds.length - 1, speeds.indexOf(state.speed) + 1)]);
        break;
      case '-':
        setSpeed(speeds[Math.max(0, speeds.indexOf(state.speed) - 1)]);
        break;
      case 'c':
        state.coloring = state.coloring === 'binary' ? 'polarity' : 'binary';
        $('coloring').value = state.coloring;
        redraw();
        break;
      default:
        return;
    }
    e.preventDefault();
  });

  // ---- start ------------------------------------------------------------------------------------------------------
  $('conf').min = String(data.minConf);
  $('coloring').value = state.coloring;
  $('show-pred').checked = state.showPred;
  $('show-pred').disabled = data.pred === null;
  $('show-gt').checked = state.showGt;
  $('show-gt').disabled = data.gt === null;
  if (data.repr) {
    $('repr-panel').hidden = false;
    $('repr-name').textContent = data.repr.name + ' (' + 2 * data.repr.bins + ' channels, ' + data.repr.width + '×' + data.repr.height + ')';
  }
  buildMetrics();
  buildLegend();
  buildInfo();
  // view.html#frame=120 opens at frame 120 (1-based, as the page counts), e.g. to share a moment.
  const start = /frame=(\d+)/.exec(window.location.hash);
  state.frame = start ? clamp(Number(start[1]) - 1, 0, N - 1) : 0;
  setConf(state.conf);

  // A small API for scripts and tests: the state, and promises that settle once a frame is drawn.
  window.eventssmViewer = {
    data: data,
    state: state,
    frameCount: N,
    show: show,
    setConf: setConf,
    togglePred: togglePred,
    toggleGt: toggleGt,
    rendered: () => rendering,
    play: () => setPlaying(true),
    pause: () => setPlaying(false),
  };
})();
