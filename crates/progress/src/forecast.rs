//! Where a series ends up: an ordinary least-squares line through the values, its prediction
//! interval from Student's t, and the probability of reaching a target.

use chrono::NaiveDate;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::Point;

/// The band shown around a forecast: an 80% prediction interval.
pub const BAND: f64 = 0.80;
/// Fewer values than this give no forecast.
pub const MIN_POINTS: usize = 3;

/// A straight line through a series; x is days since the first value's start.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Fit {
    pub n: usize,
    pub origin: NaiveDate,
    /// Change per day.
    pub slope: f64,
    pub intercept: f64,
    x_mean: f64,
    sxx: f64,
    /// Residual standard deviation (n − 2 degrees of freedom).
    pub resid_sd: f64,
}

impl Fit {
    fn x(&self, day: NaiveDate) -> f64 {
        (day - self.origin).num_days() as f64
    }

    /// The line's value on `day`.
    pub fn predict(&self, day: NaiveDate) -> f64 {
        self.intercept + self.slope * self.x(day)
    }

    /// The standard error of a new value on `day` (the prediction, not the mean).
    pub fn prediction_se(&self, day: NaiveDate) -> f64 {
        let dx = self.x(day) - self.x_mean;
        self.resid_sd * (1.0 + 1.0 / self.n as f64 + dx * dx / self.sxx).sqrt()
    }

    fn t(&self) -> Option<StudentsT> {
        StudentsT::new(0.0, 1.0, (self.n - 2) as f64).ok()
    }
}

/// Fits a line through the points (x = each bucket's start day). `None` with fewer than
/// [`MIN_POINTS`] values or when they all share one day.
pub fn fit(points: &[Point]) -> Option<Fit> {
    if points.len() < MIN_POINTS {
        return None;
    }
    let origin = points[0].start;
    let xs: Vec<f64> = points
        .iter()
        .map(|p| (p.start - origin).num_days() as f64)
        .collect();
    let n = points.len() as f64;
    let x_mean = xs.iter().sum::<f64>() / n;
    let y_mean = points.iter().map(|p| p.value).sum::<f64>() / n;
    let sxx: f64 = xs.iter().map(|x| (x - x_mean).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = xs
        .iter()
        .zip(points)
        .map(|(x, p)| (x - x_mean) * (p.value - y_mean))
        .sum();
    let slope = sxy / sxx;
    let intercept = y_mean - slope * x_mean;
    let sse: f64 = xs
        .iter()
        .zip(points)
        .map(|(x, p)| (p.value - intercept - slope * x).powi(2))
        .sum();
    Some(Fit {
        n: points.len(),
        origin,
        slope,
        intercept,
        x_mean,
        sxx,
        resid_sd: (sse / (n - 2.0)).sqrt(),
    })
}

/// A forecast of one value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Forecast {
    /// The day forecast (the start of the period's last bucket).
    pub at: NaiveDate,
    /// How many days the series' buckets span (7 for a weekly series).
    pub days: i64,
    pub value: f64,
    /// The 80% prediction interval.
    pub low: f64,
    pub high: f64,
    /// The probability that the value on `at` is at or beyond the target, in the good
    /// direction.
    pub probability: f64,
    /// Change per week in the metric's unit.
    pub per_week: f64,
    /// How many values the line was fitted to.
    pub points: usize,
}

impl Forecast {
    /// The bucket the forecast is for, in words: "on 2026-09-28", "in the week of 2026-09-28",
    /// "in September 2026".
    pub fn when(&self) -> String {
        let (on, words) = crate::bucket_words(self.at, self.days);
        format!("{on} {words}")
    }

    /// The probability of reaching the target as a percentage that never rounds a small chance
    /// to a certainty: "<1%", "37%", ">99%"; exactly 0 and 1 (a perfect line) stay "0%" and "100%".
    pub fn chance(&self) -> String {
        let p = self.probability * 100.0;
        match p {
            p if p > 0.0 && p < 0.5 => "<1%".into(),
            p if p > 99.5 && p < 100.0 => ">99%".into(),
            p => format!("{p:.0}%"),
        }
    }
}

/// The series' value on `at` and the probability that it reaches `target` (at or above when
/// `up`, at or below otherwise).
pub fn forecast(points: &[Point], at: NaiveDate, target: f64, up: bool) -> Option<Forecast> {
    let f = fit(points)?;
    let value = f.predict(at);
    let se = f.prediction_se(at);
    let (low, high, probability) = if se > 0.0 {
        let t = f.t()?;
        let q = t.inverse_cdf(0.5 + BAND / 2.0);
        let above = 1.0 - t.cdf((target - value) / se);
        (
            value - q * se,
            value + q * se,
            if up { above } else { 1.0 - above },
        )
    } else {
        let certain = crate::reached(value, target, up);
        (value, value, if certain { 1.0 } else { 0.0 })
    };
    Some(Forecast {
        at,
        days: points
            .last()
            .map_or(1, |p| (p.end - p.start).num_days().max(1)),
        value,
        low,
        high,
        probability,
        per_week: f.slope * 7.0,
        points: f.n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(values: &[f64], step: i64) -> Vec<Point> {
        let o: NaiveDate = "2026-07-06".parse().unwrap();
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                Point::new(
                    o + chrono::Duration::days(i as i64 * step),
                    o + chrono::Duration::days(i as i64 * step + step),
                    v,
                )
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-5
    }

    #[test]
    fn says_which_bucket_it_forecasts() {
        let weekly = days(&[10.0, 12.0, 14.0], 7);
        let f = forecast(&weekly, "2026-07-27".parse().unwrap(), 20.0, true).unwrap();
        assert_eq!(
            (f.days, f.when().as_str()),
            (7, "in the week of 2026-07-27")
        );
        let daily = days(&[10.0, 12.0, 14.0], 1);
        let f = forecast(&daily, "2026-07-10".parse().unwrap(), 20.0, true).unwrap();
        assert_eq!(f.when(), "on 2026-07-10");
        let monthly = days(&[10.0, 12.0, 14.0], 30);
        let f = forecast(&monthly, "2026-09-01".parse().unwrap(), 20.0, true).unwrap();
        assert_eq!(f.when(), "in September 2026");
    }

    #[test]
    fn a_small_chance_is_not_rounded_to_none() {
        let mut f = forecast(
            &days(&[10.0, 13.0, 13.0, 16.0], 7),
            "2026-08-03".parse().unwrap(),
            20.0,
            true,
        )
        .unwrap();
        for (p, said) in [
            (0.0, "0%"),
            (0.004, "<1%"),
            (0.3712, "37%"),
            (0.996, ">99%"),
            (1.0, "100%"),
        ] {
            f.probability = p;
            assert_eq!(f.chance(), said);
        }
    }

    #[test]
    fn a_perfect_line_is_certain() {
        let p = days(&[10.0, 12.0, 14.0, 16.0], 7);
        let at = p[0].start + chrono::Duration::days(28);
        let f = forecast(&p, at, 17.0, true).unwrap();
        assert!(
            close(f.value, 18.0) && close(f.low, 18.0) && close(f.high, 18.0),
            "{f:?}"
        );
        assert_eq!(f.probability, 1.0);
        assert!(close(f.per_week, 2.0));
        assert_eq!(forecast(&p, at, 17.0, false).unwrap().probability, 0.0);
    }

    /// By hand: x = 0..3, y = 10, 13, 13, 16. x̄ = 1.5, ȳ = 13, Sxx = 5, Sxy = 9, slope 1.8,
    /// intercept 10.3; residuals −0.3, 0.9, −0.9, 0.3, SSE 1.8, s = √0.9 = 0.948683.
    /// At x = 5: 19.3, se = s·√(1 + 1/4 + 3.5²/5) = 1.824829; t(0.9, 2) = 1.885618, so the band
    /// is 19.3 ± 3.440928. P(Y ≥ 20): t = 0.383598, and for 2 degrees of freedom
    /// F(t) = 1/2 + t / (2√(2 + t²)) = 0.630891, so 0.369109.
    #[test]
    fn a_noisy_line_has_a_band_and_a_probability() {
        let p = days(&[10.0, 13.0, 13.0, 16.0], 1);
        let at = p[0].start + chrono::Duration::days(5);
        let fit = fit(&p).unwrap();
        assert!(close(fit.slope, 1.8) && close(fit.intercept, 10.3));
        assert!(close(fit.resid_sd, 0.948683));
        assert!(close(fit.prediction_se(at), 1.824829));
        let f = forecast(&p, at, 20.0, true).unwrap();
        assert!(close(f.value, 19.3));
        assert!(close(f.low, 15.859072) && close(f.high, 22.740928), "{f:?}");
        assert!(close(f.probability, 0.369109), "{}", f.probability);
        // Lower is better: reaching 20 or less is the complement.
        let down = forecast(&p, at, 20.0, false).unwrap();
        assert!(close(down.probability, 0.630891));
        assert!(close(
            forecast(&p, at, 19.3, true).unwrap().probability,
            0.5
        ));
    }

    #[test]
    fn too_few_values_give_no_forecast() {
        let p = days(&[10.0, 13.0], 7);
        assert!(forecast(&p, p[0].start, 12.0, true).is_none());
        let same_day = vec![p[0], p[0], p[0]];
        assert!(fit(&same_day).is_none());
    }
}
