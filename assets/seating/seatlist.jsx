// The seat map's keyboard and screen-reader alternative (issue 12): choose a section, then a row, then seats
// from a grid of buttons for that ONE row, paged at PAGE seats — so an 18,000-seat plan renders at most one
// page of buttons, never one DOM node per seat of the plan. Only seats a buyer can take (free, or already
// chosen) are listed. Keys: ←/→ move between seats, ↑/↓ go to the previous/next row that has free seats,
// Home/End the first/last seat; Enter or Space chooses (native buttons). The parent announces every choice
// through its aria-live region (seatmap.jsx).
// The organiser's map (seatoffice.jsx) shows the same list with `all`: every seat is listed whatever its status
// (`mark(seat)` prints a short status under the seat's number; `describe` names it for screen readers), ↑/↓ go
// to the previous/next row, `isOn(seat)` says whether a seat is chosen (a seat of a table picked whole), and
// `title` / `intro` replace the buyer's texts.
import React, { useEffect, useMemo, useRef, useState } from "react";

const PAGE = 100;

export default function SeatList({ groups, statusOf, selected, onToggle, describe, tick, all = false, isOn, mark,
                                   title, intro }) {
  const chosen = isOn || ((s) => selected.has(s.key));
  const [sec, setSec] = useState(0);
  const [row, setRow] = useState(0);
  const [page, setPage] = useState(0);
  const [focus, setFocus] = useState(0);
  const wantFocus = useRef(false);
  const gridRef = useRef(null);

  // the listed seats per row: free ones (or every seat with `all`), recomputed when statuses change: `tick`
  const free = useMemo(() => groups.map((g) => g.rows.map((r) => (all ? r.seats : r.seats.filter(
    (s) => chosen(s) || !statusOf(s.key))))), [groups, tick, selected, all, isOn]); // eslint-disable-line react-hooks/exhaustive-deps
  const secIdx = Math.min(sec, Math.max(0, groups.length - 1));
  const rows = (groups[secIdx] || { rows: [] }).rows;
  const rowIdx = Math.min(row, Math.max(0, rows.length - 1));
  const seats = (free[secIdx] || [])[rowIdx] || [];
  const pages = Math.max(1, Math.ceil(seats.length / PAGE));
  const pageIdx = Math.min(page, pages - 1);
  const shown = seats.slice(pageIdx * PAGE, pageIdx * PAGE + PAGE);
  const focusIdx = Math.min(focus, Math.max(0, shown.length - 1));

  useEffect(() => {
    if (!wantFocus.current || !gridRef.current) return;
    wantFocus.current = false;
    const b = gridRef.current.querySelectorAll("button.vg-seat-btn")[focusIdx];
    if (b) b.focus();
  });

  const moveRow = (dir) => {
    const list = free[secIdx] || [];
    for (let r = rowIdx + dir; r >= 0 && r < list.length; r += dir) {
      if (list[r].length) { setRow(r); setPage(0); setFocus(Math.min(focusIdx, PAGE - 1)); return true; }
    }
    return false;
  };

  const onKey = (e) => {
    let handled = true;
    if (e.key === "ArrowRight") {
      if (focusIdx < shown.length - 1) setFocus(focusIdx + 1);
      else if (pageIdx < pages - 1) { setPage(pageIdx + 1); setFocus(0); }
    } else if (e.key === "ArrowLeft") {
      if (focusIdx > 0) setFocus(focusIdx - 1);
      else if (pageIdx > 0) { setPage(pageIdx - 1); setFocus(PAGE - 1); }
    } else if (e.key === "ArrowDown") moveRow(1);
    else if (e.key === "ArrowUp") moveRow(-1);
    else if (e.key === "Home") setFocus(0);
    else if (e.key === "End") setFocus(shown.length - 1);
    else handled = false;
    if (handled) { e.preventDefault(); wantFocus.current = true; }
  };

  const freeIn = (row) => (all ? row.filter((s) => !statusOf(s.key)).length : row.length);
  const count = (list) => {
    const free = list.reduce((n, l) => n + freeIn(l), 0);
    return all ? `${list.reduce((n, l) => n + l.length, 0)} seats, ${free} free` : `${free} free`;
  };
  return (
    <section id="seat-list" aria-labelledby="seat-list-title" style={{ marginTop: 12, borderTop: "1px solid #dee2e6", paddingTop: 8 }}>
      <h3 id="seat-list-title" style={{ fontSize: 16, margin: "4px 0 8px" }}>{title || "Choose seats from a list"}</h3>
      <p style={{ margin: "0 0 8px", color: "#495057" }}>
        {intro || "Pick a section and a row, then choose seats. In the seat buttons, the arrow keys move between " +
                  "seats (up and down change the row); Enter or Space chooses a seat."}
      </p>
      <div style={{ display: "flex", flexWrap: "wrap", gap: 8, alignItems: "center" }}>
        <label>Section{" "}
          <select id="seat-list-section" value={secIdx} onChange={(e) => { setSec(Number(e.target.value)); setRow(0); setPage(0); setFocus(0); }}>
            {groups.map((g, i) => <option key={g.label + i} value={i}>{g.label} ({count(free[i] || [])})</option>)}
          </select>
        </label>
        <label>Row{" "}
          <select id="seat-list-row" value={rowIdx} onChange={(e) => { setRow(Number(e.target.value)); setPage(0); setFocus(0); }}>
            {rows.map((r, i) => <option key={r.label + i} value={i}>{r.label} ({count([((free[secIdx] || [])[i] || [])])})</option>)}
          </select>
        </label>
        {pages > 1 && (
          <span>
            <button type="button" disabled={pageIdx === 0} onClick={() => setPage(pageIdx - 1)}>Previous seats</button>{" "}
            seats {pageIdx * PAGE + 1}–{Math.min(seats.length, (pageIdx + 1) * PAGE)} of {seats.length}{" "}
            <button type="button" disabled={pageIdx >= pages - 1} onClick={() => setPage(pageIdx + 1)}>More seats</button>
          </span>
        )}
      </div>
      {shown.length === 0
        ? <p id="seat-list-empty" style={{ marginTop: 8 }}>No free seats in this row. Try another row or section.</p>
        : (
          <div ref={gridRef} id="seat-list-grid" role="group" aria-label={`${all ? "Seats" : "Free seats"} in row ${(rows[rowIdx] || {}).label}`}
               onKeyDown={onKey} style={{ display: "flex", flexWrap: "wrap", gap: 4, marginTop: 8 }}>
            {shown.map((s, i) => {
              const on = chosen(s), m = mark ? mark(s) : "";
              return (
                <button key={s.key} type="button" className="vg-seat-btn" data-key={s.key} tabIndex={i === focusIdx ? 0 : -1}
                        aria-pressed={on} aria-label={describe(s)} onFocus={() => setFocus(i)} onClick={() => onToggle(s)}
                        style={{ minWidth: 40, minHeight: 40, borderRadius: 6, border: "2px solid #1864ab",
                                 background: on ? "#1864ab" : "#fff", color: on ? "#fff" : "#1864ab", fontWeight: 600 }}>
                  {s.seat}{m ? <span style={{ display: "block", fontSize: 11, fontWeight: 400 }}>{m}</span> : null}
                </button>
              );
            })}
          </div>
        )}
    </section>
  );
}
