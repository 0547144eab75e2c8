//! The arithmetic of `derived` metrics: metric ids, numbers, `+ - * /` and parentheses.

/// A parsed `derived` expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Number(f64),
    /// A metric id, with its byte offset in the expression text.
    Metric(String, usize),
    Neg(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A syntax error at a byte offset of the expression.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

impl Expr {
    /// Every metric id the expression reads, with offsets.
    pub fn metrics(&self) -> Vec<(&str, usize)> {
        let mut out = Vec::new();
        self.walk(&mut out);
        out
    }
    fn walk<'a>(&'a self, out: &mut Vec<(&'a str, usize)>) {
        match self {
            Expr::Number(_) => {}
            Expr::Metric(m, o) => out.push((m, *o)),
            Expr::Neg(e) => e.walk(out),
            Expr::Binary(_, a, b) => {
                a.walk(out);
                b.walk(out);
            }
        }
    }

    /// Evaluates with the given metric values; division by zero gives `None`.
    pub fn eval(&self, value_of: &dyn Fn(&str) -> Option<f64>) -> Option<f64> {
        Some(match self {
            Expr::Number(n) => *n,
            Expr::Metric(m, _) => value_of(m)?,
            Expr::Neg(e) => -e.eval(value_of)?,
            Expr::Binary(op, a, b) => {
                let (a, b) = (a.eval(value_of)?, b.eval(value_of)?);
                match op {
                    Op::Add => a + b,
                    Op::Sub => a - b,
                    Op::Mul => a * b,
                    Op::Div if b == 0.0 => return None,
                    Op::Div => a / b,
                }
            }
        })
    }
}

/// Parses an expression such as `arpu / churn_rate` or `(revenue - cost) / active_users * 100`.
pub fn parse_expr(text: &str) -> Result<Expr, ExprError> {
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        end: text.len(),
    };
    let e = p.sum(0)?;
    match p.tokens.get(p.pos) {
        None => Ok(e),
        Some((t, o)) => Err(ExprError {
            offset: *o,
            message: format!("unexpected {}", t.describe()),
        }),
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(char),
    Open,
    Close,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Num(n) => format!("number `{n}`"),
            Tok::Ident(i) => format!("`{i}`"),
            Tok::Op(c) => format!("`{c}`"),
            Tok::Open => "`(`".into(),
            Tok::Close => "`)`".into(),
        }
    }
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_digit() || c == '.' {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_ascii_digit() || d == '.' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let n = text[i..end].parse().map_err(|_| ExprError {
                offset: i,
                message: format!("`{}` is not a number", &text[i..end]),
            })?;
            out.push((Tok::Num(n), i));
        } else if c.is_alphabetic() || c == '_' {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric()
                    || d == '_'
                    || d == '-' && text[j + 1..].starts_with(|x: char| x.is_alphanumeric())
                {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.push((Tok::Ident(text[i..end].to_string()), i));
        } else {
            let tok = match c {
                '+' | '-' | '*' | '/' => Tok::Op(c),
                '(' => Tok::Open,
                ')' => Tok::Close,
                _ => {
                    return Err(ExprError {
                        offset: i,
                        message: format!(
                            "`{c}` is not allowed here: use metric ids, numbers, + - * / and parentheses"
                        ),
                    });
                }
            };
            out.push((tok, i));
            chars.next();
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

const MAX_NESTING: usize = 64;

impl Parser {
    fn sum(&mut self, depth: usize) -> Result<Expr, ExprError> {
        let mut left = self.product(depth)?;
        while let Some((Tok::Op(c @ ('+' | '-')), _)) = self.tokens.get(self.pos) {
            let op = if *c == '+' { Op::Add } else { Op::Sub };
            self.pos += 1;
            let right = self.product(depth)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }
    fn product(&mut self, depth: usize) -> Result<Expr, ExprError> {
        let mut left = self.unary(depth)?;
        while let Some((Tok::Op(c @ ('*' | '/')), _)) = self.tokens.get(self.pos) {
            let op = if *c == '*' { Op::Mul } else { Op::Div };
            self.pos += 1;
            let right = self.unary(depth)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }
    fn unary(&mut self, depth: usize) -> Result<Expr, ExprError> {
        if depth > MAX_NESTING {
            let offset = self.tokens.get(self.pos).map_or(self.end, |t| t.1);
            return Err(ExprError {
                offset,
                message: "expression nests too deeply".into(),
            });
        }
        let Some((tok, offset)) = self.tokens.get(self.pos).cloned() else {
            return Err(ExprError {
                offset: self.end,
                message: "expression ends early: a metric id or number is missing".into(),
            });
        };
        self.pos += 1;
        match tok {
            Tok::Num(n) => Ok(Expr::Number(n)),
            Tok::Ident(id) => Ok(Expr::Metric(id, offset)),
            Tok::Op('-') => Ok(Expr::Neg(Box::new(self.unary(depth + 1)?))),
            Tok::Open => {
                let e = self.sum(depth + 1)?;
                match self.tokens.get(self.pos) {
                    Some((Tok::Close, _)) => {
                        self.pos += 1;
                        Ok(e)
                    }
                    _ => Err(ExprError {
                        offset,
                        message: "this `(` is never closed".into(),
                    }),
                }
            }
            other => Err(ExprError {
                offset,
                message: format!("expected a metric id or number, found {}", other.describe()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_evaluation() {
        let e = parse_expr("(revenue - cost) / users * 100").unwrap();
        let v = e.eval(&|m| match m {
            "revenue" => Some(500.0),
            "cost" => Some(100.0),
            "users" => Some(8.0),
            _ => None,
        });
        assert_eq!(v, Some(5000.0));
        assert_eq!(parse_expr("1 + 2 * 3").unwrap().eval(&|_| None), Some(7.0));
        assert_eq!(parse_expr("-2 - -3").unwrap().eval(&|_| None), Some(1.0));
        assert_eq!(
            parse_expr("arpu / churn_rate").unwrap().metrics(),
            vec![("arpu", 0), ("churn_rate", 7)]
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(parse_expr("a + ").unwrap_err().offset, 4);
        assert_eq!(parse_expr("a ; drop").unwrap_err().offset, 2);
        assert_eq!(parse_expr("(a + b").unwrap_err().offset, 0);
        assert!(parse_expr(&"(".repeat(10_000)).is_err());
        assert!(parse_expr("a b").is_err());
    }
}
