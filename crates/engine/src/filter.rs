//! `where:` filters (parsed by the model) turned into query expressions over event columns.

use datafusion::prelude::*;
use throughline_model::filter::{CmpOp, Filter, Literal};

use crate::error::EngineError;
use crate::sources::column_type;

/// The filter as an expression over the columns of `d`; a property that is not a column is
/// an error naming the columns there are.
pub(crate) fn to_expr(f: &Filter, d: &DataFrame, known: &[String]) -> Result<Expr, EngineError> {
    Ok(match f {
        Filter::Compare {
            property,
            op,
            value,
        } => {
            let c = column(property, d, known)?;
            let v = literal(value);
            match op {
                CmpOp::Eq => c.eq(v),
                CmpOp::Ne => c.not_eq(v),
                CmpOp::Lt => c.lt(v),
                CmpOp::Le => c.lt_eq(v),
                CmpOp::Gt => c.gt(v),
                CmpOp::Ge => c.gt_eq(v),
            }
        }
        Filter::In {
            property,
            values,
            negated,
        } => column(property, d, known)?.in_list(values.iter().map(literal).collect(), *negated),
        Filter::IsNull { property, negated } => {
            let c = column(property, d, known)?;
            if *negated {
                c.is_not_null()
            } else {
                c.is_null()
            }
        }
        Filter::And(a, b) => to_expr(a, d, known)?.and(to_expr(b, d, known)?),
        Filter::Or(a, b) => to_expr(a, d, known)?.or(to_expr(b, d, known)?),
        Filter::Not(a) => to_expr(a, d, known)?.not(),
    })
}

fn literal(l: &Literal) -> Expr {
    match l {
        Literal::Text(s) => lit(s.clone()),
        Literal::Number(n) => lit(*n),
        Literal::Bool(b) => lit(*b),
    }
}

fn column(name: &str, d: &DataFrame, known: &[String]) -> Result<Expr, EngineError> {
    if column_type(d, name).is_some() {
        return Ok(ident(name));
    }
    let have: Vec<&str> = known.iter().map(String::as_str).collect();
    let help = match throughline_model::did_you_mean(name, have.iter().copied()) {
        Some(s) => format!(
            "did you mean `{s}`? the event columns are: {}",
            have.join(", ")
        ),
        None => format!("the event columns are: {}", have.join(", ")),
    };
    Err(EngineError::new(
        format!("`where:` reads `{name}`, which is not a column of the events"),
        help,
    ))
}
