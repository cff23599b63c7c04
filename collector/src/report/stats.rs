//! How sure the report is: 95 % confidence intervals of a rate (Wilson's
//! score interval) and whether two rates differ (a two-proportion z-test,
//! or Fisher's exact test when a count is too small for the normal
//! approximation). The distributions are `statrs`'s.

use statrs::distribution::{ContinuousCDF, Discrete, Hypergeometric, Normal};

/// The z of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The significance level of the report's "significant".
pub const ALPHA: f64 = 0.05;

/// Wilson's 95 % score interval of `x` successes in `n` trials, as
/// `(low, high)`; `None` without trials.
pub fn wilson(x: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (x, n) = (x as f64, n as f64);
    let p = x / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Which test judged a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    /// The two-proportion z-test (every expected cell count at least 5).
    TwoProportionZ,
    /// Fisher's exact test, two-sided (small counts).
    FisherExact,
}

/// The two-sided p-value that `x1`/`n1` and `x2`/`n2` come from one rate,
/// and the test that gave it; `None` when a group is empty or nobody (or
/// everybody) converted, where there is nothing to compare.
pub fn difference(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<(f64, Test)> {
    let (x, n) = (x1 + x2, n1 + n2);
    if n1 == 0 || n2 == 0 || x == 0 || x == n {
        return None;
    }
    // Expected counts under one shared rate (Cochran's rule of 5).
    let p = x as f64 / n as f64;
    let expected = [
        n1 as f64 * p,
        n1 as f64 * (1.0 - p),
        n2 as f64 * p,
        n2 as f64 * (1.0 - p),
    ];
    if expected.iter().all(|&e| e >= 5.0) {
        let se = (p * (1.0 - p) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
        let z = (x1 as f64 / n1 as f64 - x2 as f64 / n2 as f64) / se;
        let normal = Normal::standard();
        Some((
            (2.0 * (1.0 - normal.cdf(z.abs()))).min(1.0),
            Test::TwoProportionZ,
        ))
    } else {
        fisher(x1, n1, x2, n2).map(|p| (p, Test::FisherExact))
    }
}

/// Fisher's exact test, two-sided: the probability, with the margins fixed,
/// of every table no more likely than the one observed.
fn fisher(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<f64> {
    // Population n1 + n2, of which x1 + x2 converted; n1 drawn.
    let h = Hypergeometric::new(n1 + n2, x1 + x2, n1).ok()?;
    let observed = h.pmf(x1);
    let lo = (x1 + x2).saturating_sub(n2);
    let hi = (x1 + x2).min(n1);
    // Tables within a relative 1e-7 of the observed one count as as likely
    // (R's fisher.test does the same against rounding).
    let p: f64 = (lo..=hi)
        .map(|k| h.pmf(k))
        .filter(|&q| q <= observed * (1.0 + 1e-7))
        .sum();
    Some(p.min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Reference values from outside this code: the published Wilson
    /// intervals of Newcombe (1998), table I; the published Fisher's exact
    /// test examples (R's tea-tasting table, Wikipedia's dieting table); a
    /// two-proportion z statistic worked by hand (uncorrected, as R's
    /// `prop.test(..., correct = FALSE)`).
    #[test]
    fn agrees_with_independent_references() {
        // Newcombe 1998, 81/263: 0.2553-0.3662; 15/148: 0.0624-0.1605;
        // 0/20: 0-0.1611; 1/29: 0.0061-0.1718.
        for (x, n, low, high) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (l, h) = wilson(x, n).unwrap();
            assert!(
                close(l, low, 6e-5) && close(h, high, 6e-5),
                "{x}/{n}: {l} {h}"
            );
        }
        assert_eq!(wilson(0, 0), None);
        // p1 = 0.3, p2 = 0.5, pooled 0.4: z = -2.041, p = 0.04123 (prop.test's).
        let (p, test) = difference(15, 50, 25, 50).unwrap();
        assert_eq!(test, Test::TwoProportionZ);
        assert!(close(p, 0.041_227, 1e-5), "{p}");
        // fisher.test(matrix(c(3, 1, 1, 3), 2)): p = 0.4857 (the tea-tasting lady).
        let (p, test) = difference(3, 4, 1, 4).unwrap();
        assert_eq!(test, Test::FisherExact);
        assert!(close(p, 0.485_714, 1e-6), "{p}");
        // fisher.test(matrix(c(1, 9, 11, 3), 2)): p = 0.002759 (Wikipedia's
        // example), though every expected count is 5 or more, so the report
        // takes the z-test there (its statistic worked by hand: z = -3.31,
        // p = 0.000925).
        assert!(close(fisher(1, 10, 11, 14).unwrap(), 0.002_759, 1e-6));
        let (p, test) = difference(1, 10, 11, 14).unwrap();
        assert_eq!(test, Test::TwoProportionZ);
        assert!(close(p, 0.000_925, 1e-6), "{p}");
        // Nothing to compare.
        assert_eq!(difference(0, 10, 0, 20), None);
        assert_eq!(difference(3, 3, 4, 4), None);
        assert_eq!(difference(1, 0, 1, 5), None);
    }
}
