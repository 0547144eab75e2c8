//! The text tests on real key result wording.

use super::*;

#[test]
fn work_versus_outcome() {
    for work in [
        "Ship dark mode",
        "Launch mobile app",
        "Add 10 integrations",
        "Redesign dashboard",
        "Fix bugs",
        "Migrate all customers to the v2 billing system",
        "Roll out SSO to enterprise accounts",
        "Hire 3 senior engineers",
        "Write 12 blog posts",
        "Complete Pool MVP development by Q2",
        "Conduct 5 user tests by end of Q1",
        "Rebuild Slack iOS app with React Native",
        "Integrate with Salesforce",
        "Build a self-serve onboarding wizard",
        "Dark mode shipped",
        "Increase the number of features shipped from 3 to 10",
        "Launch time tracking for agencies",
        "Run 3 capacity reviews with product teams",
    ] {
        assert!(describes_work(work), "should be work: {work}");
    }
    for outcome in [
        "Increase activation rate from 23% to 35%",
        // a measure whose name starts with a verb, and how often something happens
        "Open rate stays above 40%",
        "Deploy the monolith 20 times a day",
        "Reduce time-to-first-value from 3 days to 1 day",
        "Achieve 50+ NPS for users in first 30 days",
        "Reach 10,000 weekly active teams",
        "Reduce churn to 2%",
        "Grow net revenue retention from 104% to 112%",
        "Lower average shipping time by 24 hrs",
        "Generate $1M in revenue in first year post-launch",
        "Increase cross-platform engagement by 15%",
        "Roll out the new checkout to lift conversion from 2.1% to 2.6%",
        "Get median support response time under 2 hours",
    ] {
        assert!(!describes_work(outcome), "should be outcome: {outcome}");
    }
}

#[test]
fn maintaining_vanity_and_vague() {
    assert!(describes_maintaining(
        "Maintain 4.5+ app rating across all platforms"
    ));
    assert!(describes_maintaining("Keep churn below 3%"));
    assert!(!describes_maintaining(
        "Increase activation rate from 23% to 35%"
    ));
    assert_eq!(
        vanity_phrase("Reach 1M total signups").as_deref(),
        Some("total signups")
    );
    assert_eq!(
        vanity_phrase("Grow page views from 1M to 2M").as_deref(),
        Some("page views")
    );
    assert_eq!(
        vanity_phrase("Increase activation rate from 23% to 35%"),
        None
    );
    assert_eq!(vanity_phrase("Grow total revenue from $1M to $2M"), None);
    assert_eq!(
        vanity_phrase("Reduce \"not interested\" feedback from 4% to 2% of impressions"),
        None
    );
    assert!(!describes_work(
        "Cut setup-related support tickets from 820 to 400 a month"
    ));
    assert!(is_vague("Make customers happy"));
    assert!(is_vague("Improve performance"));
    assert!(is_vague("Ship new features"));
    assert!(!is_vague("Dramatically improve new user activation"));
    assert!(!is_vague(
        "Make Slack collaboration seamless across devices"
    ));
}

#[test]
fn timing_from_words() {
    assert_eq!(timing_of("Grow ARR from $2M to $3M"), Timing::Lagging);
    assert_eq!(
        timing_of("Reduce monthly churn from 3% to 2%"),
        Timing::Lagging
    );
    assert_eq!(
        timing_of("Increase activation rate from 23% to 35%"),
        Timing::Leading
    );
    assert_eq!(
        timing_of("Reduce p95 page load time to 1.5s"),
        Timing::Unknown
    );
}
