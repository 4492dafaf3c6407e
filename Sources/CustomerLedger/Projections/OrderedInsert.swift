import Foundation
import LedgerCore

extension Array {
    /// Inserts `item` after every element whose key is not greater, keeping the array in
    /// `key` order (stable for equal keys). Events mostly come in order, so this is
    /// usually an append.
    mutating func insert(_ item: Element, inOrderOf key: (Element) -> (Date, LogPosition)) {
        var index = endIndex
        while index > startIndex, key(item) < key(self[index - 1]) { index -= 1 }
        insert(item, at: index)
    }
}
