//! Small-cell protection of the summary's counts.
//!
//! Every count the summary publishes is a cell of one system ([`Cells`]); the sums that tie
//! cells together (the documents = the kategori counts; a kategori = its cells per year; a
//! year = its cells per kategori …) are its lines. [`Cells::protect`] decides which cells are
//! withheld:
//!
//! 1. *Primary*: every count from 1 to k − 1.
//! 2. *Complementary*, until nothing changes:
//!    - a line with exactly one withheld cell gets a second one (else the total minus the
//!      rest gives it back);
//!    - a line whose total is published, and whose withheld parts sum to no more than their
//!      number, gets another part (each withheld cell is known to be at least 1, so parts
//!      summing to 2 across two cells would both be 1);
//!    - a withheld cell that the published counts still determine exactly, by any
//!      combination of the lines (linear algebra over all lines at once), gets the other
//!      cells of its lines withheld one by one.
//!
//! A second cell is the smallest published non-zero part of the line (a total only when no
//! part is left), so that as little as possible is withheld. Zeros are always published:
//! "no report has this value" identifies no one, and it means a withheld cell is never 0.
//!
//! Limits: the check is for exact recovery. Bounds are not computed: one may still learn
//! that a withheld cell is, say, between 1 and 4.

/// The index of a cell in a [`Cells`].
pub type CellId = usize;

/// Counts and the sums between them.
#[derive(Debug, Default)]
pub struct Cells {
    values: Vec<usize>,
    /// Cells withheld only as a last resort (the number of documents).
    last_resort: Vec<bool>,
    /// (total, parts): total = Σ parts.
    lines: Vec<(CellId, Vec<CellId>)>,
}

impl Cells {
    /// A cell holding `value`.
    pub fn add(&mut self, value: usize) -> CellId {
        self.values.push(value);
        self.last_resort.push(false);
        self.values.len() - 1
    }

    /// A cell withheld only when nothing else protects a small one.
    pub fn add_last_resort(&mut self, value: usize) -> CellId {
        let id = self.add(value);
        self.last_resort[id] = true;
        id
    }

    pub fn value(&self, id: CellId) -> usize {
        self.values[id]
    }

    /// Record that `total` is the sum of `parts`.
    pub fn sum(&mut self, total: CellId, parts: Vec<CellId>) {
        debug_assert_eq!(self.values[total], parts.iter().map(|p| self.values[*p]).sum::<usize>());
        self.lines.push((total, parts));
    }

    /// Which cells are withheld when no count below `k` may be published or recomputed.
    pub fn protect(&self, k: usize) -> Withheld {
        let n = self.values.len();
        let mut w: Vec<bool> = self.values.iter().map(|v| *v > 0 && *v < k).collect();
        if !w.iter().any(|x| *x) {
            return Withheld(w);
        }
        loop {
            let mut changed = self.close_lines(&mut w);
            for cell in self.determined(&w) {
                // Withhold one more cell in each line of a cell that is still determined.
                for (total, parts) in
                    self.lines.iter().filter(|(t, p)| *t == cell || p.contains(&cell))
                {
                    if let Some(c) = self.second(*total, parts, &w, false) {
                        w[c] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        if !self.determined(&w).is_empty() {
            // Nothing more to withhold line by line: withhold every non-zero count.
            w = (0..n).map(|i| self.values[i] > 0).collect();
        }
        Withheld(w)
    }

    /// The line rules until they hold; true if anything was withheld.
    fn close_lines(&self, w: &mut [bool]) -> bool {
        let mut any = false;
        loop {
            let mut changed = false;
            for (total, parts) in &self.lines {
                let withheld_parts: Vec<CellId> = parts.iter().copied().filter(|p| w[*p]).collect();
                let unknowns = withheld_parts.len() + usize::from(w[*total]);
                if unknowns == 0 {
                    continue;
                }
                let sum: usize = withheld_parts.iter().map(|p| self.values[*p]).sum();
                let pinned = !w[*total] && sum <= withheld_parts.len();
                if (unknowns == 1 || pinned)
                    && let Some(c) = self.second(*total, parts, w, pinned)
                {
                    w[c] = true;
                    changed = true;
                }
            }
            if !changed {
                return any;
            }
            any = true;
        }
    }

    /// The cell to withhold next in a line: the smallest published non-zero part (at least
    /// 2 when `grow` — a 1 would not widen the range of the withheld parts), else the total.
    fn second(&self, total: CellId, parts: &[CellId], w: &[bool], grow: bool) -> Option<CellId> {
        let open = |c: &CellId| !w[*c] && self.values[*c] > 0;
        let best = |cands: Vec<CellId>| {
            cands.into_iter().min_by_key(|c| (self.last_resort[*c], self.values[*c], *c))
        };
        let mut cands: Vec<CellId> = parts.iter().copied().filter(open).collect();
        if grow && cands.iter().any(|c| self.values[*c] >= 2) {
            cands.retain(|c| self.values[*c] >= 2);
        }
        best(cands).or_else(|| open(&total).then_some(total))
    }

    /// The withheld cells whose value the published cells and the lines fix exactly.
    fn determined(&self, w: &[bool]) -> Vec<CellId> {
        let unknown: Vec<CellId> = (0..self.values.len()).filter(|i| w[*i]).collect();
        let col = |c: CellId| unknown.iter().position(|u| *u == c);
        let mut rows: Vec<Vec<f64>> = Vec::new();
        for (total, parts) in &self.lines {
            let mut row = vec![0.0; unknown.len()];
            if let Some(i) = col(*total) {
                row[i] -= 1.0;
            }
            for p in parts {
                if let Some(i) = col(*p) {
                    row[i] += 1.0;
                }
            }
            if row.iter().any(|x| *x != 0.0) {
                rows.push(row);
            }
        }
        determined_columns(rows, unknown.len()).into_iter().map(|i| unknown[i]).collect()
    }
}

/// Columns of the system `rows` (left-hand sides; the right-hand sides are known) whose
/// unknown has exactly one solution: reduced row echelon form; a pivot column is determined
/// when its row has no free column.
fn determined_columns(mut rows: Vec<Vec<f64>>, ncols: usize) -> Vec<usize> {
    const EPS: f64 = 1e-9;
    let mut pivots: Vec<(usize, usize)> = Vec::new();
    let mut r = 0;
    for c in 0..ncols {
        let Some(p) =
            (r..rows.len()).max_by(|a, b| rows[*a][c].abs().total_cmp(&rows[*b][c].abs()))
        else {
            break;
        };
        if rows[p][c].abs() < EPS {
            continue;
        }
        rows.swap(r, p);
        let div = rows[r][c];
        rows[r].iter_mut().for_each(|x| *x /= div);
        for i in 0..rows.len() {
            if i != r && rows[i][c].abs() >= EPS {
                let f = rows[i][c];
                let (pivot, other) = if i < r {
                    let (a, b) = rows.split_at_mut(r);
                    (&b[0], &mut a[i])
                } else {
                    let (a, b) = rows.split_at_mut(i);
                    (&a[r], &mut b[0])
                };
                other.iter_mut().zip(pivot).for_each(|(x, y)| *x -= f * y);
            }
        }
        pivots.push((r, c));
        r += 1;
    }
    let pivot_cols: Vec<usize> = pivots.iter().map(|(_, c)| *c).collect();
    pivots
        .iter()
        .filter(|(row, _)| (0..ncols).all(|j| pivot_cols.contains(&j) || rows[*row][j].abs() < EPS))
        .map(|(_, c)| *c)
        .collect()
}

/// Which cells of a [`Cells`] are withheld.
#[derive(Debug, Clone)]
pub struct Withheld(Vec<bool>);

impl Withheld {
    /// The count of `id` as published: `None` when withheld.
    pub fn shown(&self, cells: &Cells, id: CellId) -> Option<usize> {
        (!self.0[id]).then(|| cells.value(id))
    }

    pub fn is_withheld(&self, id: CellId) -> bool {
        self.0[id]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-way table: total and parts.
    fn one_way(values: &[usize]) -> (Cells, CellId, Vec<CellId>) {
        let mut c = Cells::default();
        let total = c.add_last_resort(values.iter().sum());
        let parts: Vec<CellId> = values.iter().map(|v| c.add(*v)).collect();
        c.sum(total, parts.clone());
        (c, total, parts)
    }

    #[test]
    fn a_small_cell_gets_a_partner_and_the_total_stays() {
        let (c, total, parts) = one_way(&[10, 2, 0, 4, 7]);
        let w = c.protect(3);
        let shown: Vec<Option<usize>> = parts.iter().map(|p| w.shown(&c, *p)).collect();
        assert_eq!(shown, [Some(10), None, Some(0), None, Some(7)], "the 2 and the smallest other");
        assert_eq!(w.shown(&c, total), Some(23));
    }

    #[test]
    fn nothing_small_nothing_withheld() {
        let (c, _, parts) = one_way(&[10, 0, 3]);
        let w = c.protect(3);
        assert!(parts.iter().all(|p| !w.is_withheld(*p)));
    }

    #[test]
    fn two_ones_are_not_left_alone_together() {
        // 1 + 1 withheld under a published total: both would be 1.
        let (c, _, parts) = one_way(&[1, 1, 5, 9]);
        let w = c.protect(3);
        let shown: Vec<Option<usize>> = parts.iter().map(|p| w.shown(&c, *p)).collect();
        assert_eq!(shown, [None, None, None, Some(9)]);
    }

    #[test]
    fn a_lone_part_takes_the_total_with_it() {
        // Total 2 of one part: the total is a small count itself.
        let (c, total, parts) = one_way(&[2, 0]);
        let w = c.protect(3);
        assert!(w.is_withheld(parts[0]) && w.is_withheld(total));
    }

    /// A 2-way table with margins: rows × cols, row totals, column totals, grand total.
    fn two_way(t: &[&[usize]]) -> (Cells, Vec<Vec<CellId>>, Vec<CellId>, Vec<CellId>) {
        let mut c = Cells::default();
        let grand = c.add_last_resort(t.iter().flat_map(|r| r.iter()).sum());
        let cells: Vec<Vec<CellId>> =
            t.iter().map(|r| r.iter().map(|v| c.add(*v)).collect()).collect();
        let rows: Vec<CellId> = t.iter().map(|r| c.add(r.iter().sum())).collect();
        let cols: Vec<CellId> =
            (0..t[0].len()).map(|j| c.add(t.iter().map(|r| r[j]).sum())).collect();
        for (i, r) in rows.iter().enumerate() {
            c.sum(*r, cells[i].clone());
        }
        for (j, col) in cols.iter().enumerate() {
            c.sum(*col, cells.iter().map(|r| r[j]).collect());
        }
        c.sum(grand, rows.clone());
        c.sum(grand, cols.clone());
        (c, cells, rows, cols)
    }

    /// Every withheld small cell has more than one solution: brute force over assignments
    /// of the withheld cells (each ≥ 1, within 2 of its true value) that keep every line's
    /// sum. Finding two solutions in that subset is enough to show it is not recoverable.
    fn assert_not_recoverable(c: &Cells, w: &Withheld, k: usize) {
        use std::collections::BTreeSet;
        let wd: Vec<CellId> = (0..c.values.len()).filter(|i| w.is_withheld(*i)).collect();
        assert!(wd.len() <= 9, "brute force over {} cells", wd.len());
        let mut seen: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); wd.len()];
        let mut vals: Vec<usize> = wd.iter().map(|id| c.values[*id]).collect();
        fn rec(
            i: usize,
            c: &Cells,
            wd: &[CellId],
            vals: &mut Vec<usize>,
            seen: &mut [BTreeSet<usize>],
        ) {
            if i == wd.len() {
                let v =
                    |id: CellId| wd.iter().position(|x| *x == id).map_or(c.values[id], |p| vals[p]);
                if c.lines.iter().all(|(t, ps)| v(*t) == ps.iter().map(|p| v(*p)).sum::<usize>()) {
                    for (j, x) in vals.iter().enumerate() {
                        seen[j].insert(*x);
                    }
                }
                return;
            }
            let v = c.values[wd[i]];
            for x in v.saturating_sub(2).max(1)..=v + 2 {
                vals[i] = x;
                rec(i + 1, c, wd, vals, seen);
            }
        }
        rec(0, c, &wd, &mut vals, &mut seen);
        for (j, id) in wd.iter().enumerate() {
            if c.values[*id] < k {
                assert!(
                    seen[j].len() > 1,
                    "cell {id} (value {}) recoverable: {:?}",
                    c.values[*id],
                    seen[j]
                );
            }
        }
    }

    #[test]
    fn cross_table_margins_do_not_give_a_small_cell_away() {
        // One kategori with 2 reports, in one year.
        let (c, cells, rows, cols) = two_way(&[&[4, 5], &[0, 2], &[3, 6]]);
        let w = c.protect(3);
        assert!(w.is_withheld(cells[1][1]) && w.is_withheld(rows[1]));
        assert!(w.determined_is_empty(&c));
        assert_not_recoverable(&c, &w, 3);
        // The year total of the small cell's year may stay, the other year's too.
        assert!(!w.is_withheld(cols[0]) || !w.is_withheld(cols[1]));
    }

    #[test]
    fn a_pattern_determined_by_several_lines_is_widened() {
        // A bridge: withheld cells whose value follows from combining lines.
        let (c, _, _, _) = two_way(&[&[1, 5, 0], &[5, 1, 0], &[0, 0, 9]]);
        let w = c.protect(3);
        assert!(w.determined_is_empty(&c));
        assert_not_recoverable(&c, &w, 3);
    }

    #[test]
    fn determined_columns_finds_fixed_unknowns() {
        // x0 + x1 = a, x1 = b  → both fixed; x2 + x3 = c → neither.
        let rows =
            vec![vec![1.0, 1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0, 0.0], vec![0.0, 0.0, 1.0, 1.0]];
        assert_eq!(determined_columns(rows, 4), [0, 1]);
    }

    impl Withheld {
        fn determined_is_empty(&self, c: &Cells) -> bool {
            c.determined(&self.0).is_empty()
        }
    }
}
