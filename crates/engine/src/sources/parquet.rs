//! Parquet files whose schemas differ in encoding only: one writer stores a text column as a
//! dictionary (Arrow's `Dictionary(Int32, Utf8)`, as throughline's demo and pandas do), another
//! as plain text (DuckDB, Spark). DataFusion refuses to merge the two; read together, they are
//! the same column, so the table takes the plain type and each file is cast to it as it is read.

use std::path::Path;

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// One schema for every file `pattern` matches, when their fields differ only in dictionary
/// encoding (or are missing from some files: then nullable). `None` when they cannot be read
/// together that way, or the files cannot be read.
pub(crate) fn unified_schema(pattern: &Path) -> Option<Schema> {
    let files = glob::glob(&pattern.to_string_lossy()).ok()?;
    let mut fields: Vec<Field> = Vec::new();
    let mut count = 0usize;
    for file in files {
        let file = file.ok()?;
        let reader =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&file).ok()?).ok()?;
        let schema = reader.schema();
        count += 1;
        for f in schema.fields() {
            match fields.iter_mut().find(|x| x.name() == f.name()) {
                None => {
                    // missing from the files before this one
                    let nullable = count > 1 || f.is_nullable();
                    fields.push(f.as_ref().clone().with_nullable(nullable));
                }
                Some(x) => {
                    let ty = common(x.data_type(), f.data_type())?;
                    let nullable = x.is_nullable() || f.is_nullable();
                    *x = x.clone().with_data_type(ty).with_nullable(nullable);
                }
            }
        }
        for x in fields.iter_mut() {
            if schema.field_with_name(x.name()).is_err() {
                *x = x.clone().with_nullable(true);
            }
        }
    }
    (count > 0).then(|| Schema::new(fields))
}

/// The type two files' columns share: the same, or the plain type of a dictionary.
fn common(a: &DataType, b: &DataType) -> Option<DataType> {
    let plain = |t: &DataType| match t {
        DataType::Dictionary(_, v) => v.as_ref().clone(),
        t => t.clone(),
    };
    match (a, b) {
        _ if a == b => Some(a.clone()),
        _ if plain(a) == plain(b) => Some(plain(a)),
        _ => None,
    }
}
