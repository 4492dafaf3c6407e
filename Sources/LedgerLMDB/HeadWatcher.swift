import LedgerCore
import Synchronization

/// Wakes tasks that wait for the log to grow: at once for appends in this process, and
/// within the poll interval for appends by other processes (which a waiter notices by
/// reading the head again when its timer fires).
final class HeadWatcher: Sendable {
    private struct Waiter {
        let after: LogPosition
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var nextID: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        var closedError: LedgerError?
    }

    private let state = Mutex(State())

    /// Tells waiters that the head moved to `head`.
    func publish(_ head: LogPosition) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            let ids = state.waiters.filter { $0.value.after < head }.map(\.key)
            return ids.compactMap { state.waiters.removeValue(forKey: $0)?.continuation }
        }
        for continuation in ready { continuation.resume() }
    }

    /// Fails every waiter, now and later, with `error`.
    func close(with error: LedgerError) {
        let all = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.closedError = error
            defer { state.waiters.removeAll() }
            return state.waiters.values.map(\.continuation)
        }
        for continuation in all { continuation.resume(throwing: error) }
    }

    /// Returns once `currentHead()` is past `position`.
    func wait(after position: LogPosition, pollInterval: Duration, currentHead: () throws -> LogPosition) async throws {
        while true {
            try Task.checkCancellation()
            if try currentHead() > position { return }
            try await sleep(after: position, upTo: pollInterval)
        }
    }

    /// Sleeps until an in-process append passes `position`, the interval ends, or the task
    /// is cancelled.
    private func sleep(after position: LogPosition, upTo interval: Duration) async throws {
        let id = state.withLock { state -> UInt64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: interval)
            self?.resume(id)
        }
        defer { timer.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let closed = state.withLock { state -> LedgerError? in
                    if let error = state.closedError { return error }
                    state.waiters[id] = Waiter(after: position, continuation: continuation)
                    return nil
                }
                if let closed { continuation.resume(throwing: closed) }
            }
        } onCancel: {
            resume(id, throwing: CancellationError())
        }
    }

    private func resume(_ id: UInt64, throwing error: (any Error)? = nil) {
        guard let waiter = state.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
        if let error { waiter.continuation.resume(throwing: error) } else { waiter.continuation.resume() }
    }
}
