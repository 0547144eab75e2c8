//! One module per command: its arguments (`Args`, whose doc comment is the command's
//! `--help`) and its `run`, which returns the exit code.

pub mod check;
pub mod checkin;
pub mod cluster;
pub mod decide;
pub mod demo;
pub mod experiment;
pub mod explain;
pub mod import;
pub mod init;
pub mod measure;
pub mod notify;
pub mod review;
pub mod rules;
pub mod score;
pub mod serve;
pub mod status;
pub mod token;
