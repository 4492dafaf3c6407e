import Crypto
import Foundation
import LedgerCore
import LedgerLMDB
import Synchronization

/// The personal-data layer of one open ledger: whether the ledger encrypts, the master key
/// it was opened with, and the customers' unwrapped data keys, cached (bounded).
///
/// Every entry is read from the `keys` database when it is used, in the read transaction
/// of the caller, and the cache only saves the unwrapping: a key another process erased
/// or rewrapped is noticed at once, because the cached key is used only while the stored
/// entry is byte for byte the one it was unwrapped from.
final class PersonalDataKeys: Sendable {
    /// Whether a ledger encrypts personal data.
    enum Mode: Sendable, Equatable {
        /// No event yet and no master key check stored: the first append decides.
        case undecided
        /// Created without a master key: personal data is stored in clear.
        case clear
        /// Created with a master key: personal data is sealed.
        case sealed
    }

    private struct State {
        var mode: Mode
        var masterKey: MasterKey?
        /// Unwrapped data keys by customer, with the entry bytes each came from.
        var cache: [StreamID: (entry: [UInt8], key: DataKey)] = [:]
    }

    /// How many unwrapped data keys are kept (about 200 bytes each).
    static let cacheCapacity = 16_384

    private let state: Mutex<State>
    private let store: LMDBEventStore

    private init(store: LMDBEventStore, mode: Mode, masterKey: MasterKey?) {
        self.store = store
        state = Mutex(State(mode: mode, masterKey: masterKey))
    }

    var mode: Mode { state.withLock { $0.mode } }
    var masterKey: MasterKey? { state.withLock { $0.masterKey } }

    /// Reads the ledger's settings and checks `masterKey` against them.
    static func open(_ store: LMDBEventStore, masterKey: MasterKey?) throws(LedgerError) -> PersonalDataKeys {
        let (check, rotation, head) = try store.readProjections { storage in
            (KeySetting.checkValue(try storage.keyEntry(KeySetting.check)),
             KeySetting.checkValue(try storage.keyEntry(KeySetting.rotation)),
             try storage.head())
        }
        guard let check else {
            if head == .start { return PersonalDataKeys(store: store, mode: .undecided, masterKey: masterKey) }
            if masterKey != nil { throw Self.createdInClear() }
            return PersonalDataKeys(store: store, mode: .clear, masterKey: nil)
        }
        if let masterKey, masterKey.checkValue != check, masterKey.checkValue != rotation {
            throw LedgerError(
                .wrongMasterKey,
                "The master key given does not open the ledger at \(store.path): it is not the key the ledger was created or last rotated with. Give the right key; without it the ledger still opens (leave the key out), with every personal field locked."
            )
        }
        return PersonalDataKeys(store: store, mode: .sealed, masterKey: masterKey)
    }

    static func createdInClear() -> LedgerError {
        LedgerError(
            .invalidInput,
            "This ledger was created without a master key: its personal data is stored in clear, and encryption cannot be switched on later. Open it without a master key; to encrypt, export it and import the export into a new ledger created with a master key."
        )
    }

    // MARK: Reading

    /// How to read the sealed sections of `customer`'s events, looked up in `storage`.
    func read(_ customer: StreamID, in storage: ProjectionTransaction) throws -> PersonalRead {
        let (mode, masterKey) = state.withLock { ($0.mode, $0.masterKey) }
        // A ledger created in clear never sealed anything.
        guard mode != .clear else { return .withheld(.locked) }
        guard let bytes = try storage.keyEntry(KeyEntry.key(of: customer)), let entry = KeyEntry(bytes) else {
            // Sealed data with no entry can never be opened.
            return .withheld(.erased)
        }
        switch entry {
        case .erased:
            return .withheld(.erased)
        case .wrapped(let identifier, let wrapped):
            guard let masterKey, identifier == masterKey.identifier else { return .withheld(.locked) }
            if let cached = state.withLock({ $0.cache[customer] }), cached.entry == bytes {
                return PersonalRead(key: cached.key, withheld: .readable)
            }
            let key = DataKey(try KeyEntry.unwrap(wrapped, with: masterKey, customer: customer.rawValue))
            remember(customer, entry: bytes, key: key)
            return PersonalRead(key: key, withheld: .readable)
        }
    }

    /// The same in a read transaction of its own.
    func read(_ customer: StreamID) throws(LedgerError) -> PersonalRead {
        if mode == .clear { return .withheld(.locked) }
        return try store.readProjections { storage in try read(customer, in: storage) }
    }

    private func remember(_ customer: StreamID, entry: [UInt8], key: DataKey) {
        state.withLock { state in
            if state.cache.count >= Self.cacheCapacity, state.cache[customer] == nil {
                // Drop an eighth, in whatever order the dictionary has: cheap, and a dropped
                // key costs one unwrap when it is next used.
                for customer in state.cache.keys.prefix(Self.cacheCapacity / 8) { state.cache[customer] = nil }
            }
            state.cache[customer] = (entry, key)
        }
    }

    // MARK: Writing

    /// Decides an undecided ledger at its first append: with a master key it starts
    /// sealing (storing the key's check value), without one it stays in clear.
    func decide() async throws(LedgerError) -> Mode {
        let (mode, masterKey) = state.withLock { ($0.mode, $0.masterKey) }
        guard mode == .undecided else { return mode }
        let decided: Mode
        if let masterKey {
            let checkValue = masterKey.checkValue
            try await store.writeProjections { storage in
                if let stored = KeySetting.checkValue(try storage.keyEntry(KeySetting.check)) {
                    guard stored == checkValue else {
                        throw LedgerError(.wrongMasterKey, "Another process started this ledger with a different master key: reopen it with that key.")
                    }
                    return
                }
                guard try storage.head() == .start else { throw Self.createdInClear() }
                try storage.setKeyEntry(KeySetting.check, KeySetting.entry(checkValue))
            }
            decided = .sealed
        } else {
            let check = try store.readProjections { storage in try storage.keyEntry(KeySetting.check) }
            decided = check == nil ? .clear : .sealed
        }
        state.withLock { $0.mode = decided }
        return decided
    }

    /// The data keys to seal new personal data of `customers` with, made (and stored
    /// wrapped) for customers that have none yet.
    /// - Throws: `personalDataLocked` without the master key, `personalDataErased` for a
    ///   forgotten customer.
    func sealingKeys(for customers: Set<StreamID>, typeOf: (StreamID) -> String) async throws(LedgerError) -> [StreamID: DataKey] {
        guard let masterKey else {
            let customer = customers.sorted().first!
            throw LedgerError(
                .personalDataLocked,
                "This ledger encrypts personal data, and it was opened without its master key, so it cannot record the personal fields of \(typeOf(customer)) for \(customer): open it with its master key (Ledger.open(…, masterKey:); ledger: --master-key-file or LEDGER_MASTER_KEY_FILE), or record events without personal fields.",
                stream: customer
            )
        }
        var keys: [StreamID: DataKey] = [:]
        var missing: [StreamID] = []
        // The entries as stored now, in one read transaction.
        let entries: [(StreamID, [UInt8]?)] = try store.readProjections { storage in
            try customers.map { ($0, try storage.keyEntry(KeyEntry.key(of: $0))) }
        }
        for (customer, bytes) in entries {
            guard let bytes else {
                missing.append(customer)
                continue
            }
            keys[customer] = try usable(customer, bytes, masterKey, typeOf: typeOf)
        }
        guard !missing.isEmpty else { return keys }
        // Made on the writer thread, so two appenders racing for the same new customer
        // (in this process or another) end up with the one key stored first.
        let toMake = missing
        let stored: [(StreamID, [UInt8])] = try await store.writeProjections { storage in
            let check = KeySetting.checkValue(try storage.keyEntry(KeySetting.check))
            let rotation = KeySetting.checkValue(try storage.keyEntry(KeySetting.rotation))
            guard check == masterKey.checkValue || rotation == masterKey.checkValue else {
                throw LedgerError(.wrongMasterKey, "The master key was rotated by another process: reopen the ledger with the new master key.")
            }
            return try toMake.map { customer in
                let key = KeyEntry.key(of: customer)
                if let existing = try storage.keyEntry(key) { return (customer, existing) }
                let entry = try KeyEntry.newKey(wrappedBy: masterKey).entry.bytes
                try storage.setKeyEntry(key, entry)
                return (customer, entry)
            }
        }
        for (customer, bytes) in stored {
            keys[customer] = try usable(customer, bytes, masterKey, typeOf: typeOf)
        }
        return keys
    }

    /// The data key of a stored entry, for sealing.
    private func usable(_ customer: StreamID, _ bytes: [UInt8], _ masterKey: MasterKey, typeOf: (StreamID) -> String) throws(LedgerError) -> DataKey {
        guard let entry = KeyEntry(bytes) else {
            throw LedgerError(.corrupted, "The keys entry of customer \(customer) is not a wrapped key or an erasure mark: the keys database is damaged.", stream: customer)
        }
        switch entry {
        case .erased:
            throw LedgerError(
                .personalDataErased,
                "Customer \(customer) was forgotten: its data key is destroyed, and the ledger records no new personal data for it (\(typeOf(customer)) has personal fields). Record events without personal fields, or register the person again under a new id.",
                stream: customer
            )
        case .wrapped(let identifier, let wrapped):
            guard identifier == masterKey.identifier else {
                throw LedgerError(
                    .personalDataLocked,
                    "The data key of customer \(customer) is wrapped by the other master key of an unfinished rotation: finish it (Ledger.rotateMasterKey(to:); ledger rotate-key) with the old key, then reopen with the new one.",
                    stream: customer
                )
            }
            if let cached = state.withLock({ $0.cache[customer] }), cached.entry == bytes { return cached.key }
            let key = DataKey(try KeyEntry.unwrap(wrapped, with: masterKey, customer: customer.rawValue))
            remember(customer, entry: bytes, key: key)
            return key
        }
    }

    /// Destroys the data keys of `customers`, leaving an erasure mark in their place so
    /// that no key is ever made for them again. Committed before it returns.
    func erase(_ customers: [StreamID], at time: Date) async throws(LedgerError) {
        let mark = KeyEntry.erased(at: time.microsecondsSince1970).bytes
        try await store.writeProjections { storage in
            for customer in customers {
                let key = KeyEntry.key(of: customer)
                if let existing = try storage.keyEntry(key), case .erased? = KeyEntry(existing) { continue }
                try storage.setKeyEntry(key, mark)
            }
        }
        state.withLock { state in
            for customer in customers { state.cache[customer] = nil }
        }
    }

    // MARK: Rotation

    /// Rewraps every data key with `newKey`, in batches, then makes `newKey` the ledger's
    /// master key (docs/privacy.md, "Rotating the master key").
    /// `stoppingAfter` ends it after that many batches, as a crash would (for tests).
    func rotate(to newKey: MasterKey, batchSize: Int, stoppingAfter stop: Int? = nil) async throws(LedgerError) {
        guard mode == .sealed || mode == .undecided else {
            throw LedgerError(.erasureUnavailable, "This ledger was created without a master key: there are no data keys to rewrap, and its personal data is stored in clear.")
        }
        guard let oldKey = masterKey else {
            throw LedgerError(.personalDataLocked, "Rotating the master key needs the current one: open the ledger with it (ledger: --master-key-file), then rotate.")
        }
        if mode == .undecided {
            // Nothing sealed yet: the new key simply becomes the key.
            state.withLock { $0.masterKey = newKey }
            return
        }
        let (check, rotation) = try store.readProjections { storage in
            (KeySetting.checkValue(try storage.keyEntry(KeySetting.check)),
             KeySetting.checkValue(try storage.keyEntry(KeySetting.rotation)))
        }
        if check == newKey.checkValue, rotation == nil { return }  // already done
        guard check == oldKey.checkValue else {
            throw LedgerError(
                .wrongMasterKey,
                "This ledger was opened with the new master key of an unfinished rotation: open it with the old key and run the rotation again to finish it."
            )
        }
        if let rotation, rotation != newKey.checkValue {
            throw LedgerError(
                .wrongMasterKey,
                "A rotation to another master key was started and did not finish: finish it with that key first (the data keys it already rewrapped open only with it)."
            )
        }
        // 1. Record the rotation: from now on both keys open the ledger.
        let newCheck = newKey.checkValue
        try await store.writeProjections { storage in
            try storage.setKeyEntry(KeySetting.rotation, KeySetting.entry(newCheck))
        }
        // 2. The customers whose key the old master key wraps.
        let pending: [[UInt8]] = try store.readProjections { storage in
            var keys: [[UInt8]] = []
            try storage.forEachKeyEntry { key, value in
                if key.first != 0, let entry = KeyEntry(value), case .wrapped(let identifier, _) = entry, identifier == oldKey.identifier {
                    keys.append(Array(key))
                }
                return true
            }
            return keys
        }
        // 3. Rewrap them in batches, each one transaction.
        var start = 0
        var batches = 0
        while start < pending.count {
            if let stop, batches == stop { throw LedgerError(.storageFailure, "The rotation stopped after \(stop) batches (a simulated crash).") }
            batches += 1
            let batch = Array(pending[start..<min(start + batchSize, pending.count)])
            try await store.writeProjections { storage in
                for key in batch { try Self.rewrap(key, in: storage, from: oldKey, to: newKey) }
            }
            start += batchSize
        }
        // 4. Switch: rewrap whatever was made with the old key meanwhile, store the new
        // check value, end the rotation.
        try await store.writeProjections { storage in
            var late: [[UInt8]] = []
            try storage.forEachKeyEntry { key, value in
                if key.first != 0, let entry = KeyEntry(value), case .wrapped(let identifier, _) = entry, identifier == oldKey.identifier {
                    late.append(Array(key))
                }
                return true
            }
            for key in late { try Self.rewrap(key, in: storage, from: oldKey, to: newKey) }
            try storage.setKeyEntry(KeySetting.check, KeySetting.entry(newCheck))
            try storage.setKeyEntry(KeySetting.rotation, nil)
        }
        state.withLock { state in
            state.masterKey = newKey
            state.cache.removeAll()
        }
    }

    private static func rewrap(_ key: [UInt8], in storage: ProjectionTransaction, from oldKey: MasterKey, to newKey: MasterKey) throws {
        // Read again inside the write: the customer may have been forgotten meanwhile.
        guard let bytes = try storage.keyEntry(key), let entry = KeyEntry(bytes),
              case .wrapped(let identifier, let wrapped) = entry, identifier == oldKey.identifier
        else { return }
        let raw = try KeyEntry.unwrap(wrapped, with: oldKey, customer: String(decoding: key, as: UTF8.self))
        try storage.setKeyEntry(key, try KeyEntry.wrap(raw, with: newKey).bytes)
    }

    // MARK: Facts

    /// What `ledger stats` shows.
    func protection() throws(LedgerError) -> PersonalDataProtection {
        let (mode, masterKey) = state.withLock { ($0.mode, $0.masterKey) }
        var keys = 0, erased = 0
        var rotating = false
        if mode != .clear {
            try store.readProjections { storage in
                rotating = try storage.keyEntry(KeySetting.rotation) != nil
                try storage.forEachKeyEntry { key, value in
                    guard key.first != 0 else { return true }
                    switch KeyEntry(value) {
                    case .wrapped?: keys += 1
                    case .erased?: erased += 1
                    case nil: break
                    }
                    return true
                }
            }
        }
        let encryption: PersonalDataProtection.Encryption = switch mode {
        case .clear: .none
        case .sealed: .masterKey
        case .undecided: masterKey == nil ? .undecided : .masterKey
        }
        return PersonalDataProtection(
            encryption: encryption, masterKeyGiven: masterKey != nil, customerKeys: keys,
            erasedCustomers: erased, rotationUnfinished: rotating
        )
    }
}

/// How a ledger protects personal data (``Ledger/personalDataProtection()``).
public struct PersonalDataProtection: Sendable, Hashable {
    /// Whether personal fields are encrypted at rest.
    public enum Encryption: String, Sendable, Hashable {
        /// The ledger was created without a master key: personal data is stored in clear,
        /// and `forget` cannot erase it.
        case none
        /// Personal fields are encrypted with per-customer data keys wrapped by a master key.
        case masterKey
        /// An empty ledger opened without a master key: its first append decides (it will
        /// then store personal data in clear).
        case undecided
    }

    /// Whether personal fields are encrypted at rest.
    public var encryption: Encryption
    /// Whether this ledger was opened with its master key (so personal data is readable).
    public var masterKeyGiven: Bool
    /// Customers with a data key.
    public var customerKeys: Int
    /// Customers forgotten: their data key destroyed.
    public var erasedCustomers: Int
    /// Whether a master key rotation started and did not finish.
    public var rotationUnfinished: Bool
}
