"""Reference values for throughline-experiment's statistics, computed once with scipy and
statsmodels (independently of the Rust code: from raw per-user arrays where the Rust code
uses sums) and stored in fixtures.json. Rerun to regenerate:

    pip install scipy statsmodels numpy
    python3 crates/experiment/tests/reference/make_fixtures.py
"""
import json
import math
import pathlib

import numpy as np
from scipy import integrate, optimize, stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

rng = np.random.default_rng(20261124)
out = {"proportions": [], "means": [], "srm": [], "msprt": [], "cuped": [], "power": []}


def sums(y, x=None):
    d = {"n": float(len(y)), "sy": float(np.sum(y)), "syy": float(np.sum(y * y))}
    if x is not None:
        d.update(sx=float(np.sum(x)), sxx=float(np.sum(x * x)), sxy=float(np.sum(x * y)))
    else:
        d.update(sx=0.0, sxx=0.0, sxy=0.0)
    return d


def delta(mc, mt, var_c, var_t):
    rel = mt / mc - 1
    se = math.sqrt(var_t / mc**2 + mt**2 * var_c / mc**4)
    z = stats.norm.ppf(0.975)
    return rel, rel - z * se, rel + z * se


for nc, xc, nt, xt in [(5000, 1350, 5100, 1530), (800, 96, 790, 90), (120000, 33000, 119500, 33100)]:
    z, p = proportions_ztest([xt, xc], [nt, nc])
    lo, hi = confint_proportions_2indep(xt, nt, xc, nc, method="wald", compare="diff")
    pc, pt = xc / nc, xt / nt
    rel, rlo, rhi = delta(pc, pt, pc * (1 - pc) / nc, pt * (1 - pt) / nt)
    out["proportions"].append(dict(nc=nc, xc=xc, nt=nt, xt=xt, z=z, p=p, ci_low=lo, ci_high=hi,
                                   lift=pt - pc, rel=rel, rel_low=rlo, rel_high=rhi))

for nc, nt, mu_c, mu_t, sd_c, sd_t in [(400, 380, 10.0, 10.8, 3.0, 4.5), (60, 75, 2.0, 1.7, 1.0, 0.6)]:
    yc = rng.normal(mu_c, sd_c, nc)
    yt = rng.normal(mu_t, sd_t, nt)
    r = stats.ttest_ind(yt, yc, equal_var=False)
    ci = r.confidence_interval(0.95)
    vc, vt = np.var(yc, ddof=1) / nc, np.var(yt, ddof=1) / nt
    rel, rlo, rhi = delta(np.mean(yc), np.mean(yt), vc, vt)
    out["means"].append(dict(control=sums(yc), treatment=sums(yt), t=float(r.statistic),
                             p=float(r.pvalue), df=float(r.df), ci_low=float(ci.low),
                             ci_high=float(ci.high), lift=float(np.mean(yt) - np.mean(yc)),
                             rel=rel, rel_low=rlo, rel_high=rhi))

for obs, shares in [([5000, 5100], [1, 1]), ([5000, 5400], [1, 1]), ([3000, 3100, 2950], [1, 1, 1]), ([900, 2100], [0.3, 0.7])]:
    total = sum(obs)
    exp = [total * s / sum(shares) for s in shares]
    r = stats.chisquare(obs, exp)
    out["srm"].append(dict(observed=obs, shares=shares, chi2=float(r.statistic), p=float(r.pvalue)))

def log_mixture_lr(diff, var, tau2, theta0=0.0):
    """The log of the mixture likelihood ratio by numerical integration (not the closed form
    the Rust code uses): the integral over theta ~ N(theta0, tau2) of
    N(diff; theta, var) / N(diff; theta0, var). Integrated in log space around its peak."""
    sd, tau = math.sqrt(var), math.sqrt(tau2)

    def log_f(th):
        return ((diff - theta0) ** 2 - (diff - th) ** 2) / (2 * var) + stats.norm.logpdf(th, theta0, tau)

    centre = theta0 + tau2 / (tau2 + var) * (diff - theta0)
    peak = log_f(centre)
    width = 12 * math.sqrt(tau2 * var / (tau2 + var))
    value, _ = integrate.quad(lambda th: math.exp(log_f(th) - peak), centre - width, centre + width,
                              epsabs=0, epsrel=1e-13, limit=500)
    return peak + math.log(value)


for diff, var, tau2, alpha in [(0.02, 0.0001, 0.0004, 0.05), (0.001, 0.0004, 0.0004, 0.05), (-0.5, 0.04, 0.25, 0.05)]:
    p = min(1.0, math.exp(-log_mixture_lr(diff, var, tau2)))
    # The always-valid interval: the effects theta0 whose likelihood ratio stays below 1/alpha,
    # found by root-finding on each side.
    g = lambda h: log_mixture_lr(diff, var, tau2, theta0=diff - h) - math.log(1 / alpha)
    half = optimize.brentq(g, 1e-12, 20 * math.sqrt(var + tau2), xtol=1e-15, rtol=1e-14)
    out["msprt"].append(dict(diff=diff, var=var, tau2=tau2, alpha=alpha, p=p, ci_low=diff - half, ci_high=diff + half))

for n in [(500, 520)]:
    xc = rng.normal(5, 2, n[0])
    xt = rng.normal(5, 2, n[1])
    yc = 1.0 + 0.8 * xc + rng.normal(0, 1, n[0])
    yt = 1.3 + 0.8 * xt + rng.normal(0, 1, n[1])
    x_all = np.concatenate([xc, xt])
    y_all = np.concatenate([yc, yt])
    theta = np.cov(x_all, y_all, ddof=1)[0, 1] / np.var(x_all, ddof=1)
    rho2 = np.corrcoef(x_all, y_all)[0, 1] ** 2
    ac = yc - theta * (xc - np.mean(x_all))
    at = yt - theta * (xt - np.mean(x_all))
    r = stats.ttest_ind(at, ac, equal_var=False)
    ci = r.confidence_interval(0.95)
    out["cuped"].append(dict(control=sums(yc, xc), treatment=sums(yt, xt), theta=float(theta), rho2=float(rho2),
                             mean_c=float(np.mean(ac)), mean_t=float(np.mean(at)), var_c=float(np.var(ac, ddof=1)),
                             var_t=float(np.var(at, ddof=1)), t=float(r.statistic), p=float(r.pvalue),
                             ci_low=float(ci.low), ci_high=float(ci.high)))

for d in [0.2, 0.05, 0.0113]:
    n = NormalIndPower().solve_power(effect_size=d, alpha=0.05, power=0.8, ratio=1)
    out["power"].append(dict(d=d, alpha=0.05, power=0.8, n=float(n),
                             power_at_1000=float(NormalIndPower().power(effect_size=d, nobs1=1000, alpha=0.05, ratio=1))))

path = pathlib.Path(__file__).with_name("fixtures.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
