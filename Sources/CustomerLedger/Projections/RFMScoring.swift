/// Quintile scores by rank (docs/domain-rules/value.md): the customers are sorted from
/// worst to best, ties broken by customer id (the larger id first, so among equal values
/// the smaller id — with ids issued in order, the longer-standing customer — gets the
/// higher or equal score), and the customer at rank r (1-based) of n gets ⌈5·r / n⌉. The
/// best customer always scores 5; with n ≥ 5 the worst scores 1 and each score holds a
/// fifth of the customers (±1).
enum RFMScoring {
    /// The score of the customer at 1-based `rank` among `count`.
    static func score(rank: Int, of count: Int) -> Int {
        precondition(rank >= 1 && rank <= count, "A rank is 1…count")
        return (5 * rank + count - 1) / count
    }

    /// Scores for `count` items numbered in customer id order (item `i`'s id is below item
    /// `j`'s when `i < j`), ordered by `worseThan` (a strict order on the value), ties by id,
    /// the larger first: the score of item `i` is at index `i`. Sorting the numbers with the
    /// id order already in them compares integers only.
    static func scores(count: Int, worseThan: (Int, Int) -> Bool, equal: (Int, Int) -> Bool) -> [Int] {
        let sorted = (0..<count).sorted { lhs, rhs in
            equal(lhs, rhs) ? rhs < lhs : worseThan(lhs, rhs)
        }
        var scores = [Int](repeating: 0, count: count)
        for (index, item) in sorted.enumerated() { scores[item] = score(rank: index + 1, of: count) }
        return scores
    }
}
