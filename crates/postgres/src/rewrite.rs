//! The statement as PostgreSQL needs it.
//!
//! Before unparsing, [`named_aggregates`]: a grouping directly over another grouping reads it
//! as a named subquery (DataFusion 55's unparser folds a third stacked grouping into the
//! second's `SELECT` and loses it).
//!
//! After unparsing, DataFusion aggregates that PostgreSQL spells differently are rewritten in
//! the syntax tree:
//! - `median(x)` → `percentile_cont(0.5) WITHIN GROUP (ORDER BY x)` (the same value: the
//!   middle one, or the mean of the two middle ones);
//! - `date_trunc(f, x)` cuts in the zone DataFusion cuts in: the zone of the instant's type
//!   (`date_trunc(f, x, 'America/New_York')`), which the dialect writes into casts to it as a
//!   marker type, or UTC for an instant without one (the normalized `ts` column); the marker
//!   casts become `timestamptz` casts;
//! - text literals holding a quote or a backslash are written as escape strings (`E'x\\'y'`):
//!   the unparser keeps a quote after a backslash as it is (`'x\\'y'`), which PostgreSQL, with
//!   `standard_conforming_strings` on (its default since 9.1), reads as the end of the literal.
//!   Every character but NUL has a spelling there; the `where:` language refuses NUL, which
//!   PostgreSQL's text cannot hold;
//! - an order comparison with a text literal (`variant < 'm'`) compares bytes, as DataFusion
//!   does, whatever the column's or the database's collation (`'m' COLLATE "C"`): under a
//!   linguistic collation `'B' < 'a'` is false.

use std::ops::ControlFlow;

use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{Aggregate, LogicalPlan, SubqueryAlias};
use datafusion::sql::sqlparser::ast::{
    DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectName, Statement,
    TimezoneInfo, Value, visit_expressions, visit_expressions_mut,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// `plan` with every grouping whose input is a grouping reading it through a subquery alias
/// (`__g1`, `__g2` …). A grouping whose expressions name their input's columns with a
/// qualifier is left as it is.
pub(crate) fn named_aggregates(plan: LogicalPlan) -> Result<LogicalPlan> {
    let mut n = 0;
    plan.transform_up(|node| {
        let LogicalPlan::Aggregate(agg) = &node else {
            return Ok(Transformed::no(node));
        };
        if !matches!(agg.input.as_ref(), LogicalPlan::Aggregate(_)) {
            return Ok(Transformed::no(node));
        }
        let qualified = agg
            .group_expr
            .iter()
            .chain(&agg.aggr_expr)
            .flat_map(|e| e.column_refs())
            .any(|c| c.relation.is_some());
        if qualified {
            return Ok(Transformed::no(node));
        }
        n += 1;
        let input = SubqueryAlias::try_new(agg.input.clone(), format!("__g{n}"))?;
        let rebuilt = Aggregate::try_new(
            Arc::new(LogicalPlan::SubqueryAlias(input)),
            agg.group_expr.clone(),
            agg.aggr_expr.clone(),
        )?;
        Ok(Transformed::yes(LogicalPlan::Aggregate(rebuilt)))
    })
    .map(|t| t.data)
}

const MARKER: &str = "tl_zone:";

/// The type a cast to an instant seen in `tz` is written with until [`for_postgres`] reads it.
pub(crate) fn zone_marker(tz: &str) -> DataType {
    DataType::Custom(
        ObjectName::from(vec![Ident::with_quote('"', format!("{MARKER}{tz}"))]),
        vec![],
    )
}

/// The zone of a marker type.
fn marked_zone(t: &DataType) -> Option<&str> {
    match t {
        DataType::Custom(name, _) => match name.0.as_slice() {
            [part] => part.as_ident()?.value.strip_prefix(MARKER),
            _ => None,
        },
        _ => None,
    }
}

/// The zone of the first marker cast inside `e`.
fn zone_in(e: &Expr) -> Option<String> {
    let mut found = None;
    let _ = visit_expressions(e, |x| {
        if let Expr::Cast { data_type, .. } = x
            && let Some(tz) = marked_zone(data_type)
        {
            found = Some(tz.to_string());
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    found
}

/// `statement` with the aggregates and zones above rewritten.
pub(crate) fn for_postgres(mut statement: Statement) -> Result<Statement> {
    // first, so that the rewrites below that print and read back an expression keep its
    // literals, and last, for what they added
    escaped_literals(&mut statement);
    // the zones first, while the marker casts are there to read
    let _ = visit_expressions_mut(&mut statement, |e| {
        if let Expr::Function(f) = e
            && f.name.to_string().eq_ignore_ascii_case("date_trunc")
            && let FunctionArguments::List(list) = &mut f.args
            && list.args.len() == 2
        {
            let zone = match &list.args[1] {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => zone_in(x),
                _ => None,
            };
            let zone = zone.unwrap_or_else(|| "UTC".to_string());
            list.args
                .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(
                    Value::SingleQuotedString(zone).into(),
                ))));
        }
        ControlFlow::<()>::Continue(())
    });
    let _ = visit_expressions_mut(&mut statement, |e| {
        if let Expr::Cast { data_type, .. } = e
            && marked_zone(data_type).is_some()
        {
            *data_type = DataType::Timestamp(None, TimezoneInfo::WithTimeZone);
        }
        ControlFlow::<()>::Continue(())
    });
    let mut failed = None;
    let _ = visit_expressions_mut(&mut statement, |e| {
        match rewritten(e) {
            Ok(Some(new)) => *e = new,
            Ok(None) => {}
            Err(err) => {
                failed = Some(err);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    if let Some(e) = failed {
        return Err(e);
    }
    escaped_literals(&mut statement);
    byte_order(&mut statement);
    Ok(statement)
}

/// Every order comparison of a text literal made in the "C" collation.
fn byte_order(statement: &mut Statement) {
    use datafusion::sql::sqlparser::ast::BinaryOperator as Op;
    let text = |e: &Expr| {
        matches!(e, Expr::Value(v) if matches!(v.value,
            Value::SingleQuotedString(_) | Value::EscapedStringLiteral(_)))
    };
    let _ = visit_expressions_mut(statement, |e| {
        if let Expr::BinaryOp { left, op, right } = e
            && matches!(op, Op::Lt | Op::LtEq | Op::Gt | Op::GtEq)
        {
            for side in [left, right] {
                if text(side) {
                    let literal = std::mem::replace(side.as_mut(), Expr::value(Value::Null));
                    **side = Expr::Collate {
                        expr: Box::new(literal),
                        collation: ObjectName::from(vec![Ident::with_quote('"', "C")]),
                    };
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Every text literal with a quote or a backslash as an escape string, which spells both
/// unambiguously whatever the server's `standard_conforming_strings`.
fn escaped_literals(statement: &mut Statement) {
    let _ = visit_expressions_mut(statement, |e| {
        if let Expr::Value(v) = e
            && let Value::SingleQuotedString(s) = &v.value
            && s.contains(['\\', '\''])
        {
            v.value = Value::EscapedStringLiteral(s.clone());
        }
        ControlFlow::<()>::Continue(())
    });
}

fn rewritten(e: &Expr) -> Result<Option<Expr>> {
    let Expr::Function(f) = e else {
        return Ok(None);
    };
    let name = f.name.to_string().to_ascii_lowercase();
    let FunctionArguments::List(list) = &f.args else {
        return Ok(None);
    };
    let sql = match (name.as_str(), list.args.as_slice()) {
        ("median", [arg]) if f.over.is_none() => {
            let filter = f
                .filter
                .as_ref()
                .map(|c| format!(" FILTER (WHERE {c})"))
                .unwrap_or_default();
            format!("percentile_cont(0.5) WITHIN GROUP (ORDER BY {arg}){filter}")
        }
        _ => return Ok(None),
    };
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&sql)
        .and_then(|mut p| p.parse_expr())
        .map(Some)
        .map_err(|e| DataFusionError::Internal(format!("rewriting `{e}` for PostgreSQL: {sql}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(sql: &str) -> String {
        let statement = Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .unwrap()
            .remove(0);
        for_postgres(statement).unwrap().to_string()
    }

    #[test]
    fn text_literals_never_leave_their_quotes() {
        use datafusion::sql::sqlparser::ast::{BinaryOperator, Expr as E};
        // the unparser's output for `variant = 'x\'y'` and other values: built as a tree, as
        // the unparser builds it, since no SQL text spells them all the same way
        let mut statement = Parser::parse_sql(&PostgreSqlDialect {}, "SELECT 1 FROM t WHERE a")
            .unwrap()
            .remove(0);
        let values = [r"x\'y", "it''s", r"a\\b", "$$", "plain"];
        let ops = [
            BinaryOperator::Eq,
            BinaryOperator::Eq,
            BinaryOperator::Eq,
            BinaryOperator::Lt,
            BinaryOperator::GtEq,
        ];
        let _ = visit_expressions_mut(&mut statement, |e| {
            if matches!(e, E::Identifier(i) if i.value == "a") {
                let mut all = None;
                for (v, op) in values.into_iter().zip(ops.clone()) {
                    let cmp = E::BinaryOp {
                        left: Box::new(E::Identifier(Ident::new("v"))),
                        op,
                        right: Box::new(E::Value(Value::SingleQuotedString(v.into()).into())),
                    };
                    all = Some(match all {
                        None => cmp,
                        Some(a) => E::BinaryOp {
                            left: Box::new(a),
                            op: BinaryOperator::Or,
                            right: Box::new(cmp),
                        },
                    });
                }
                *e = all.unwrap();
            }
            ControlFlow::<()>::Continue(())
        });
        let sql = for_postgres(statement).unwrap().to_string();
        assert_eq!(
            sql,
            r#"SELECT 1 FROM t WHERE v = E'x\\\'y' OR v = E'it\'\'s' OR v = E'a\\\\b' OR v < '$$' COLLATE "C" OR v >= 'plain' COLLATE "C""#
        );
        // and reading it back as PostgreSQL does (sqlparser's dialect) gives the values back
        let back = Parser::parse_sql(&PostgreSqlDialect {}, &sql)
            .unwrap()
            .remove(0);
        let mut read = Vec::new();
        let _ = visit_expressions(&back, |e| {
            if let E::Value(v) = e
                && let Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) = &v.value
            {
                read.push(s.clone());
            }
            ControlFlow::<()>::Continue(())
        });
        assert_eq!(read, values);
    }

    #[test]
    fn median_and_zones_are_written_as_postgresql_has_them() {
        assert_eq!(
            rewrite("SELECT g, median(\"x\") FROM t GROUP BY g"),
            "SELECT g, percentile_cont(0.5) WITHIN GROUP (ORDER BY \"x\") FROM t GROUP BY g"
        );
        // zones: from the marker cast, else UTC
        let marked = format!(
            "SELECT date_trunc('week', CAST(ts AS {}) + INTERVAL '1 DAY'), date_trunc('day', ts), CAST(x AS {}) FROM t",
            zone_marker("America/New_York"),
            zone_marker("UTC")
        );
        assert_eq!(
            rewrite(&marked),
            "SELECT date_trunc('week', CAST(ts AS TIMESTAMP WITH TIME ZONE) + INTERVAL '1 DAY', 'America/New_York'), date_trunc('day', ts, 'UTC'), CAST(x AS TIMESTAMP WITH TIME ZONE) FROM t"
        );
    }
}
