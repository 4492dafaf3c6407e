import Foundation
import LedgerCore

/// Work waiting for the writer thread: an append, or a projection write.
protocol WriterRequest: AnyObject, Sendable {
    /// What the request weighs against `maximumGroupSize`.
    var eventCount: Int { get }
    /// Answers the request with a failure (the writer stopped, or the group failed).
    func fail(_ error: LedgerError)
}

/// One append call waiting for the writer: its prepared streams and how to answer it.
final class AppendRequest: WriterRequest, @unchecked Sendable {
    // Safe: `appends` is immutable and `continuation` is resumed exactly once, by the
    // writer thread, after the request has left the queue.
    let appends: [PreparedAppend]
    let streamsRepeat: Bool
    let eventCount: Int
    private let continuation: CheckedContinuation<Result<[AppendResult], LedgerError>, Never>

    init(_ prepared: PreparedRequest, continuation: CheckedContinuation<Result<[AppendResult], LedgerError>, Never>) {
        self.appends = prepared.appends
        self.streamsRepeat = prepared.streamsRepeat
        self.eventCount = prepared.appends.reduce(0) { $0 + $1.count }
        self.continuation = continuation
    }

    func finish(_ result: Result<[AppendResult], LedgerError>) {
        continuation.resume(returning: result)
    }

    func fail(_ error: LedgerError) {
        finish(.failure(error))
    }
}

/// The ledger's only writer: a dedicated thread that drains all waiting appends into one
/// LMDB write transaction (group commit), so many concurrent callers share one sync.
///
/// LMDB ties a write transaction to the thread that began it, so every write transaction
/// begins and commits on this thread and never crosses an `await`.
final class GroupCommitWriter: @unchecked Sendable {
    // Safe: `queue`, `isStopping` and `isFinished` are touched only under `condition`.
    private let condition = NSCondition()
    private var queue: [any WriterRequest] = []
    private var isStopping = false
    private var isFinished = false
    private var isPaused = false
    private var groupsCommitted = 0
    private let maximumGroupSize: Int
    private let gatherWindow: TimeInterval
    /// The request counts of the last few groups: the writer waits for as many as the
    /// largest of them, so a group that missed a few callers does not lower the bar.
    private var recentGroupSizes = [Int](repeating: 1, count: 8)
    private var recentGroupIndex = 0
    private let process: ([any WriterRequest]) -> Void

    /// Starts the thread; `process` runs on it with each group, in order.
    init(maximumGroupSize: Int, gatherWindow: Duration, name: String, process: @escaping @Sendable ([any WriterRequest]) -> Void) {
        self.maximumGroupSize = max(1, maximumGroupSize)
        let (seconds, attoseconds) = gatherWindow.components
        self.gatherWindow = Double(seconds) + Double(attoseconds) / 1e18
        self.process = process
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Queues a request; fails it at once when the writer has stopped.
    func submit(_ request: any WriterRequest, closedError: @autoclosure () -> LedgerError) {
        condition.lock()
        if isStopping {
            condition.unlock()
            request.fail(closedError())
            return
        }
        queue.append(request)
        condition.signal()
        condition.unlock()
    }

    /// Finishes every queued request, then ends the thread; returns when it has ended.
    func stop() {
        condition.lock()
        isStopping = true
        condition.broadcast()
        while !isFinished { condition.wait() }
        condition.unlock()
    }

    /// Holds queued requests back until `resume()`, so a test can make a group of a known
    /// size. Not for production use.
    func pause() {
        condition.lock()
        isPaused = true
        condition.unlock()
    }

    /// Lets a paused writer go on.
    func resume() {
        condition.lock()
        isPaused = false
        condition.broadcast()
        condition.unlock()
    }

    /// How many requests are waiting.
    var queuedRequests: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// How many groups (write transactions) the writer has processed.
    var groupCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return groupsCommitted
    }

    private func run() {
        while let group = nextGroup() {
            process(group)
            condition.lock()
            groupsCommitted += 1
            condition.unlock()
        }
        condition.lock()
        isFinished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for work and takes the requests that fit in one group (always at least one).
    private func nextGroup() -> [any WriterRequest]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty || (isPaused && !isStopping) {
            if isStopping && queue.isEmpty { return nil }
            condition.wait()
        }
        // The callers answered by the last groups are likely about to append again: give
        // them a moment to join, up to as many requests as the largest recent group had.
        let target = recentGroupSizes.max() ?? 1
        if gatherWindow > 0, queue.count < target, !isStopping {
            let deadline = Date(timeIntervalSinceNow: gatherWindow)
            while queue.count < target, !isStopping, condition.wait(until: deadline) {}
        }
        var taken = 0
        var events = 0
        while taken < queue.count, taken == 0 || events + queue[taken].eventCount <= maximumGroupSize {
            events += queue[taken].eventCount
            taken += 1
        }
        let group = Array(queue[..<taken])
        queue.removeFirst(taken)
        recentGroupSizes[recentGroupIndex] = taken
        recentGroupIndex = (recentGroupIndex + 1) % recentGroupSizes.count
        return group
    }
}
