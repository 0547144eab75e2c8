//! How much of a metric's change each of its inputs caused, when the metric is a formula of
//! them: a `derived` or `ratio` metric, or one the tree's `drives:` edges make a product of
//! factors or a sum of terms (a model of the metric, not its definition: what the model's
//! change leaves of the metric's own is shown as the rest).
//!
//! The change `f(after) - f(before)` is split with Shapley values: an input's contribution is
//! the change it makes when it moves from its before value to its after value, averaged over
//! every order in which the inputs could move. The contributions add up to the change exactly,
//! whatever the formula; for a sum they are each term's own difference. Products and ratios
//! also have an interaction (the inputs moving together); the split shares it out, and
//! [`Split::interaction`] shows it separately: the change minus what each input would have
//! done alone.

use std::collections::BTreeMap;

use throughline_model::expr::{Expr, Op};
use throughline_model::{Combines, DriveAs, Metric, Unit, Workspace};

/// More inputs than this are not split (2^N evaluations of the formula).
pub const MAX_INPUTS: usize = 16;

/// One input's share of the change.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub metric: String,
    pub before: f64,
    pub after: f64,
    /// Its Shapley value: the parts add up to the change.
    pub contribution: f64,
    /// The change if only this input had moved.
    pub alone: f64,
}

/// A formula's change split into its inputs' contributions.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    pub before: f64,
    pub after: f64,
    pub parts: Vec<Part>,
    /// The change minus the sum of each input's change alone: 0 for sums.
    pub interaction: f64,
    /// The part of the metric's change that its formula's change does not account for: 0 for
    /// a metric defined by its formula; for the product or sum of the tree's `drives:` edges,
    /// the metric's change minus the formula's. The parts and the rest add up to the change.
    pub rest: f64,
}

impl Split {
    pub fn change(&self) -> f64 {
        self.after - self.before
    }
}

/// A metric's formula of other metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct Formula {
    pub expr: Expr,
    /// The formula as written (`derived`), or as the tree gives it (`active_users * arpu`).
    pub text: String,
    /// The metric is defined by the formula (`derived`, `ratio`), so its values are the
    /// formula's; a formula from the tree's `drives:` edges is a model of it, and the part of
    /// a change the model does not account for is [`Split::rest`].
    pub exact: bool,
}

/// A metric's formula: `derived`'s expression, `ratio`'s division (×100 for `unit: percent`,
/// as the engine computes it), or else the product of the metrics that `drive` it `as:
/// factor` (a percent factor as a share) or the sum of those that drive it `as: term`. `None`
/// for other metrics.
pub fn formula(ws: &Workspace, m: &Metric) -> Option<Formula> {
    match m.compute.as_ref().and_then(|c| c.value.combines()) {
        Some(Combines::Formula { expr, text }) => {
            return Some(Formula {
                expr: expr.value.clone(),
                text: text.value.clone(),
                exact: true,
            });
        }
        Some(Combines::Ratio {
            numerator,
            denominator,
        }) => {
            let scale = match m.unit.as_ref().map(|u| &u.value) {
                Some(Unit::Percent) => 100.0,
                _ => 1.0,
            };
            return Some(Formula {
                expr: ratio(&numerator.value, &denominator.value, scale),
                text: format!("{} / {}", numerator.value, denominator.value),
                exact: true,
            });
        }
        None => {}
    }
    tree(ws, &m.id.value)
}

/// The formula the `drives:` edges into `id` give.
fn tree(ws: &Workspace, id: &str) -> Option<Formula> {
    let edges: Vec<(&Metric, DriveAs)> = ws
        .metrics
        .iter()
        .filter_map(|c| {
            let d = c.drives.as_ref()?;
            (d.metric.value == id).then_some((c, d.as_.value))
        })
        .collect();
    let as_ = edges.first()?.1;
    if edges.iter().any(|(_, a)| *a != as_) {
        return None;
    }
    let (op, sep) = match as_ {
        DriveAs::Factor => (Op::Mul, " * "),
        DriveAs::Term => (Op::Add, " + "),
    };
    let mut texts = Vec::new();
    let mut expr: Option<Expr> = None;
    for (c, _) in edges {
        let id = c.id.value.clone();
        let percent = as_ == DriveAs::Factor
            && matches!(c.unit.as_ref().map(|u| &u.value), Some(Unit::Percent));
        let mut e = Expr::Metric(id.clone(), 0);
        if percent {
            e = Expr::Binary(Op::Div, Box::new(e), Box::new(Expr::Number(100.0)));
            texts.push(format!("{id}/100"));
        } else {
            texts.push(id);
        }
        expr = Some(match expr {
            None => e,
            Some(x) => Expr::Binary(op, Box::new(x), Box::new(e)),
        });
    }
    Some(Formula {
        expr: expr?,
        text: texts.join(sep),
        exact: false,
    })
}

/// `x` and `y` agree to rounding.
pub fn close(x: f64, y: f64) -> bool {
    (x - y).abs() <= 1e-9 * y.abs().max(1.0)
}

/// Splits a metric's own change, from `before` to `after`, by its formula `f` given the
/// formula's inputs in each period. For a definition (`exact`) the inputs must give the
/// metric's values, else there is no split (the inputs were measured otherwise). For a tree
/// formula, what the formula's change leaves of the metric's is [`Split::rest`]. The split's
/// `before` and `after` are the metric's.
pub fn split_change(
    f: &Formula,
    inputs_before: &BTreeMap<String, f64>,
    inputs_after: &BTreeMap<String, f64>,
    before: f64,
    after: f64,
) -> Option<Split> {
    let mut s = split(&f.expr, inputs_before, inputs_after)?;
    if f.exact {
        if !close(s.before, before) || !close(s.after, after) {
            return None;
        }
    } else {
        s.rest = (after - before) - (s.after - s.before);
    }
    s.before = before;
    s.after = after;
    Some(s)
}

/// A `ratio` metric as a formula: `numerator / denominator × scale`.
pub fn ratio(numerator: &str, denominator: &str, scale: f64) -> Expr {
    let div = Expr::Binary(
        Op::Div,
        Box::new(Expr::Metric(numerator.to_string(), 0)),
        Box::new(Expr::Metric(denominator.to_string(), 0)),
    );
    Expr::Binary(Op::Mul, Box::new(div), Box::new(Expr::Number(scale)))
}

/// Splits `expr`'s change from the `before` values of its inputs to the `after` ones. `None`
/// when an input has no value in either period, the formula cannot be evaluated on some mix of
/// the two (a division by zero), or it reads more than [`MAX_INPUTS`] metrics.
pub fn split(
    expr: &Expr,
    before: &BTreeMap<String, f64>,
    after: &BTreeMap<String, f64>,
) -> Option<Split> {
    let mut inputs: Vec<&str> = expr.metrics().into_iter().map(|(m, _)| m).collect();
    inputs.sort();
    inputs.dedup();
    let n = inputs.len();
    if n > MAX_INPUTS {
        return None;
    }
    let b: Vec<f64> = inputs
        .iter()
        .map(|m| before.get(*m).copied())
        .collect::<Option<_>>()?;
    let a: Vec<f64> = inputs
        .iter()
        .map(|m| after.get(*m).copied())
        .collect::<Option<_>>()?;
    // the formula with the inputs in `moved` (a bit set) at their after values
    let mut value = vec![0.0; 1 << n];
    for (set, v) in value.iter_mut().enumerate() {
        let of = |m: &str| {
            let i = inputs.iter().position(|x| *x == m)?;
            Some(if set & (1 << i) != 0 { a[i] } else { b[i] })
        };
        *v = expr.eval(&of).filter(|x| x.is_finite())?;
    }
    let full = (1usize << n) - 1;
    // Shapley weights |S|! (n - |S| - 1)! / n! by the size of S
    let fact = |k: usize| (1..=k).map(|x| x as f64).product::<f64>();
    let weight: Vec<f64> = (0..n)
        .map(|s| fact(s) * fact(n - s - 1) / fact(n))
        .collect();
    let parts: Vec<Part> = (0..n)
        .map(|i| {
            let bit = 1 << i;
            let contribution = (0..=full)
                .filter(|set| set & bit == 0)
                .map(|set| {
                    weight[(set as u32).count_ones() as usize] * (value[set | bit] - value[set])
                })
                .sum();
            Part {
                metric: inputs[i].to_string(),
                before: b[i],
                after: a[i],
                contribution,
                alone: value[bit] - value[0],
            }
        })
        .collect();
    let (first, last) = (value[0], value[full]);
    let interaction = (last - first) - parts.iter().map(|p| p.alone).sum::<f64>();
    Some(Split {
        before: first,
        after: last,
        parts,
        interaction,
        rest: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use throughline_model::expr::parse_expr;

    fn values(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    /// Shapley values the long way: the average over every order of the inputs of the change
    /// each input makes when it moves in that order.
    fn by_permutations(
        expr: &Expr,
        before: &BTreeMap<String, f64>,
        after: &BTreeMap<String, f64>,
    ) -> BTreeMap<String, f64> {
        fn orders(items: Vec<String>) -> Vec<Vec<String>> {
            if items.len() <= 1 {
                return vec![items];
            }
            let mut out = Vec::new();
            for i in 0..items.len() {
                let mut rest = items.clone();
                let first = rest.remove(i);
                for mut o in orders(rest) {
                    o.insert(0, first.clone());
                    out.push(o);
                }
            }
            out
        }
        let names: Vec<String> = before.keys().cloned().collect();
        let all = orders(names.clone());
        let mut total: BTreeMap<String, f64> = names.iter().map(|n| (n.clone(), 0.0)).collect();
        for order in &all {
            let mut now = before.clone();
            let mut last = expr.eval(&|m| now.get(m).copied()).unwrap();
            for m in order {
                now.insert(m.clone(), after[m]);
                let v = expr.eval(&|x| now.get(x).copied()).unwrap();
                *total.get_mut(m).unwrap() += v - last;
                last = v;
            }
        }
        total
            .into_iter()
            .map(|(k, v)| (k, v / all.len() as f64))
            .collect()
    }

    fn check(text: &str, before: &[(&str, f64)], after: &[(&str, f64)]) -> Split {
        let e = parse_expr(text).unwrap();
        let (b, a) = (values(before), values(after));
        let s = split(&e, &b, &a).unwrap();
        let sum: f64 = s.parts.iter().map(|p| p.contribution).sum();
        assert!(
            (sum - s.change()).abs() < 1e-9,
            "{text}: {sum} vs {}",
            s.change()
        );
        let brute = by_permutations(&e, &b, &a);
        for p in &s.parts {
            assert!(
                (p.contribution - brute[&p.metric]).abs() < 1e-9,
                "{text} {}: {} vs {}",
                p.metric,
                p.contribution,
                brute[&p.metric]
            );
        }
        s
    }

    #[test]
    fn a_sum_splits_into_each_terms_difference() {
        let s = check(
            "new_users + returning_users - churned",
            &[
                ("new_users", 100.0),
                ("returning_users", 400.0),
                ("churned", 50.0),
            ],
            &[
                ("new_users", 130.0),
                ("returning_users", 390.0),
                ("churned", 70.0),
            ],
        );
        let got: Vec<(&str, f64)> = s
            .parts
            .iter()
            .map(|p| (p.metric.as_str(), p.contribution))
            .collect();
        assert_eq!(
            got,
            [
                ("churned", -20.0),
                ("new_users", 30.0),
                ("returning_users", -10.0)
            ]
        );
        assert_eq!((s.before, s.after, s.interaction), (450.0, 450.0, 0.0));
    }

    #[test]
    fn a_product_shares_its_interaction_half_and_half() {
        // revenue = users × arpu: 1000 × 5 → 1200 × 6. Alone: users +1000, arpu +1000; the
        // joint move adds 200 more, shared equally.
        let s = check(
            "users * arpu",
            &[("users", 1000.0), ("arpu", 5.0)],
            &[("users", 1200.0), ("arpu", 6.0)],
        );
        let got: Vec<(&str, f64, f64)> = s
            .parts
            .iter()
            .map(|p| (p.metric.as_str(), p.contribution, p.alone))
            .collect();
        assert_eq!(got, [("arpu", 1100.0, 1000.0), ("users", 1100.0, 1000.0)]);
        assert_eq!(s.interaction, 200.0);
        assert_eq!(s.change(), 2200.0);
    }

    #[test]
    fn ratios_longer_formulas_and_repeated_inputs_add_up() {
        check(
            "a / b",
            &[("a", 10.0), ("b", 4.0)],
            &[("a", 13.0), ("b", 5.0)],
        );
        check(
            "(a + b) * c / (d - 2) + a",
            &[("a", 1.5), ("b", 2.0), ("c", 7.0), ("d", 9.0)],
            &[("a", 2.5), ("b", 1.0), ("c", 8.5), ("d", 5.0)],
        );
        check(
            "w * x * y * z",
            &[("w", 1.1), ("x", 2.0), ("y", 0.5), ("z", 3.0)],
            &[("w", 0.9), ("x", 2.5), ("y", 0.75), ("z", 2.0)],
        );
        let r = ratio("revenue", "active_users", 100.0);
        let (b, a) = (
            values(&[("revenue", 500.0), ("active_users", 200.0)]),
            values(&[("revenue", 600.0), ("active_users", 300.0)]),
        );
        let s = split(&r, &b, &a).unwrap();
        assert!((s.before - 250.0).abs() < 1e-9 && (s.after - 200.0).abs() < 1e-9);
        let sum: f64 = s.parts.iter().map(|p| p.contribution).sum();
        assert!((sum + 50.0).abs() < 1e-9);
    }

    #[test]
    fn no_split_without_every_value_or_through_a_division_by_zero() {
        let e = parse_expr("a / b").unwrap();
        let b = values(&[("a", 1.0), ("b", 0.0)]);
        let a = values(&[("a", 2.0), ("b", 1.0)]);
        assert_eq!(split(&e, &b, &a), None);
        assert_eq!(split(&e, &values(&[("a", 1.0)]), &a), None);
    }
}
