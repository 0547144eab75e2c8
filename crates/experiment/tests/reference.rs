//! Every statistic against values computed once with scipy and statsmodels
//! (tests/reference/make_fixtures.py), to 1e-6.

use serde_json::Value;
use throughline_experiment::stats::{
    Sample, Sums, cuped, msprt, power, sample_size, srm, welch, z_test,
};

fn fixtures() -> Value {
    serde_json::from_str(include_str!("reference/fixtures.json")).unwrap()
}

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("{k} in {v}"))
}

#[track_caller]
fn close(got: f64, want: f64, what: &str) {
    let tol = 1e-6 * want.abs().max(1.0);
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want}");
}

fn sums(v: &Value) -> Sums {
    Sums {
        n: f(v, "n"),
        sy: f(v, "sy"),
        syy: f(v, "syy"),
        sx: f(v, "sx"),
        sxx: f(v, "sxx"),
        sxy: f(v, "sxy"),
    }
}

#[test]
fn two_proportion_z_test() {
    for c in fixtures()["proportions"].as_array().unwrap() {
        let (nc, nt) = (f(c, "nc"), f(c, "nt"));
        let pc = Sample {
            n: nc,
            mean: f(c, "xc") / nc,
            var: 0.0,
        };
        let pt = Sample {
            n: nt,
            mean: f(c, "xt") / nt,
            var: 0.0,
        };
        let r = z_test(pc, pt, 0.95);
        close(r.statistic, f(c, "z"), "z");
        close(r.p_value, f(c, "p"), "p");
        close(r.lift, f(c, "lift"), "lift");
        close(r.ci_low, f(c, "ci_low"), "ci_low");
        close(r.ci_high, f(c, "ci_high"), "ci_high");
        close(r.lift_relative, f(c, "rel"), "relative lift");
        close(r.rel_ci_low, f(c, "rel_low"), "relative low");
        close(r.rel_ci_high, f(c, "rel_high"), "relative high");
    }
}

#[test]
fn welch_t_test() {
    for c in fixtures()["means"].as_array().unwrap() {
        let r = welch(
            sums(&c["control"]).sample(),
            sums(&c["treatment"]).sample(),
            0.95,
        );
        close(r.statistic, f(c, "t"), "t");
        close(r.p_value, f(c, "p"), "p");
        close(r.df.unwrap(), f(c, "df"), "df");
        close(r.ci_low, f(c, "ci_low"), "ci_low");
        close(r.ci_high, f(c, "ci_high"), "ci_high");
        close(r.lift, f(c, "lift"), "lift");
        close(r.lift_relative, f(c, "rel"), "relative lift");
        close(r.rel_ci_low, f(c, "rel_low"), "relative low");
        close(r.rel_ci_high, f(c, "rel_high"), "relative high");
    }
}

#[test]
fn sample_ratio_mismatch() {
    for c in fixtures()["srm"].as_array().unwrap() {
        let obs: Vec<f64> = c["observed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let shares: Vec<f64> = c["shares"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let (chi2, p) = srm(&obs, &shares);
        close(chi2, f(c, "chi2"), "chi2");
        close(p, f(c, "p"), "p");
    }
}

#[test]
fn always_valid_msprt() {
    for c in fixtures()["msprt"].as_array().unwrap() {
        let r = msprt(f(c, "diff"), f(c, "var"), f(c, "tau2"), f(c, "alpha"));
        close(r.p_value, f(c, "p"), "p");
        close(r.ci_low, f(c, "ci_low"), "low");
        close(r.ci_high, f(c, "ci_high"), "high");
    }
}

#[test]
fn cuped_from_sums_matches_regression_on_the_raw_values() {
    for c in fixtures()["cuped"].as_array().unwrap() {
        let (ac, at, theta, rho2) = cuped(&sums(&c["control"]), &sums(&c["treatment"])).unwrap();
        close(theta, f(c, "theta"), "theta");
        close(rho2, f(c, "rho2"), "rho2");
        close(ac.mean, f(c, "mean_c"), "adjusted control mean");
        close(at.mean, f(c, "mean_t"), "adjusted treatment mean");
        close(ac.var, f(c, "var_c"), "adjusted control variance");
        close(at.var, f(c, "var_t"), "adjusted treatment variance");
        let r = welch(ac, at, 0.95);
        close(r.statistic, f(c, "t"), "t");
        close(r.p_value, f(c, "p"), "p");
        close(r.ci_low, f(c, "ci_low"), "low");
        close(r.ci_high, f(c, "ci_high"), "high");
    }
}

#[test]
fn power_and_sample_size() {
    for c in fixtures()["power"].as_array().unwrap() {
        let n = sample_size(f(c, "d"), f(c, "alpha"), f(c, "power"));
        close(n, f(c, "n"), "n per arm");
        close(
            power(f(c, "d"), 1000.0, f(c, "alpha")),
            f(c, "power_at_1000"),
            "power at 1000",
        );
    }
}
