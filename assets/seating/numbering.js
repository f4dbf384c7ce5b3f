// Numbering schemes for the seating builder: a line-by-line port of
// voelgoed/services/seating/numbering.py (tests/services/test_seating_numbering.py checks they agree).
// spec = {scheme: "numeric"|"odd"|"even"|"alpha", start, reverse, prefix, skip_io}

export const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const ALPHABET_NO_IO = "ABCDEFGHJKLMNPQRSTUVWXYZ";

export function letters(index, skipIo = false) {
  const alphabet = skipIo ? ALPHABET_NO_IO : ALPHABET;
  const base = alphabet.length;
  let out = "";
  while (index > 0) {
    const rem = (index - 1) % base;
    index = Math.floor((index - 1) / base);
    out = alphabet[rem] + out;
  }
  return out;
}

export function lettersIndex(text, skipIo = false) {
  const alphabet = skipIo ? ALPHABET_NO_IO : ALPHABET;
  text = String(text).trim().toUpperCase();
  if (!text || [...text].some((c) => !alphabet.includes(c))) return null;
  let value = 0;
  for (const c of text) value = value * alphabet.length + alphabet.indexOf(c) + 1;
  return value;
}

export function cleanSpec(spec, defaultScheme = "numeric") {
  spec = spec || {};
  const scheme = spec.scheme || defaultScheme;
  const skipIo = !!spec.skip_io;
  let start = spec.start === undefined || spec.start === null || spec.start === "" ? 1 : spec.start;
  if (scheme === "alpha" && typeof start === "string" && !/^\s*\d+\s*$/.test(start)) {
    start = lettersIndex(start, skipIo);
    if (start === null) throw new Error("Start at a letter such as A or AA");
  } else {
    start = parseInt(String(start).trim(), 10);
    if (Number.isNaN(start) || start < 0 || start > 100000) throw new Error("Start at a whole number from 0 to 100000");
  }
  if (scheme === "alpha") start = Math.max(start, 1);
  return { scheme, start, reverse: !!spec.reverse, prefix: spec.prefix || "", skip_io: skipIo };
}

export function sequence(count, spec) {
  spec = cleanSpec(spec);
  const { start, scheme } = spec;
  let labels = [];
  if (scheme === "alpha") {
    for (let i = 0; i < count; i++) labels.push(letters(start + i, spec.skip_io));
  } else if (scheme === "odd" || scheme === "even") {
    const first = start + ((start % 2 === 0) === (scheme === "odd") ? 1 : 0);
    for (let i = 0; i < count; i++) labels.push(String(first + 2 * i));
  } else {
    for (let i = 0; i < count; i++) labels.push(String(start + i));
  }
  if (spec.reverse) labels.reverse();
  return labels.map((l) => spec.prefix + l);
}

// Renumber the seats whose keys are in `keys` (a Set) in place: per row/table left to right; with
// rowSpec, the touched rows front to back (mean y). Mirrors numbering.renumber.
export function renumber(doc, keys, seatSpec, rowSpec) {
  const touched = [];
  const containers = [];
  for (const section of doc.sections || []) for (const row of section.rows || []) containers.push([row, false]);
  for (const table of doc.tables || []) containers.push([table, true]);
  for (const [row, isTable] of containers) {
    const chosen = (row.seats || []).filter((s) => keys.has(s.key));
    if (!chosen.length) continue;
    chosen.sort((a, b) => a.x - b.x || a.y - b.y);
    const labels = sequence(chosen.length, seatSpec);
    chosen.forEach((s, i) => { s.label = labels[i]; });
    if (!isTable) touched.push([row, chosen.reduce((t, s) => t + s.y, 0) / chosen.length]);
  }
  if (rowSpec && touched.length) {
    touched.sort((a, b) => a[1] - b[1]);
    const labels = sequence(touched.length, cleanSpec(rowSpec, "alpha"));
    touched.forEach(([row], i) => { row.label = labels[i]; });
  }
  return doc;
}
