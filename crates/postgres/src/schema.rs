//! PostgreSQL column types as Arrow types.

use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use sqlx::postgres::PgColumn;
use sqlx::{Column, TypeInfo};

/// The Arrow type a PostgreSQL type is read as. Types without a closer Arrow type (intervals,
/// network addresses, arrays …) are read as their text.
pub(crate) fn arrow_type(pg: &str) -> DataType {
    match pg {
        "INT2" => DataType::Int16,
        "INT4" => DataType::Int32,
        "INT8" => DataType::Int64,
        "FLOAT4" => DataType::Float32,
        // numeric is read as a double: metric values are doubles
        "FLOAT8" | "NUMERIC" => DataType::Float64,
        "BOOL" => DataType::Boolean,
        "DATE" => DataType::Date32,
        "TIMESTAMPTZ" => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        "TIMESTAMP" => DataType::Timestamp(TimeUnit::Microsecond, None),
        _ => DataType::Utf8,
    }
}

/// The Arrow schema of a statement's columns.
pub(crate) fn arrow_schema(columns: &[PgColumn]) -> Schema {
    Schema::new(
        columns
            .iter()
            .map(|c| Field::new(c.name(), arrow_type(c.type_info().name()), true))
            .collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_read_as() {
        assert_eq!(arrow_type("INT8"), DataType::Int64);
        assert_eq!(arrow_type("NUMERIC"), DataType::Float64);
        assert_eq!(
            arrow_type("TIMESTAMPTZ"),
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert_eq!(arrow_type("VARCHAR"), DataType::Utf8);
        assert_eq!(arrow_type("INTERVAL"), DataType::Utf8);
    }
}
