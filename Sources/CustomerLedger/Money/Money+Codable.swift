extension Money: Codable {
    private enum CodingKeys: String, CodingKey { case amount, currency }

    /// Reads `{"amount": "12.30", "currency": "USD"}`: the event JSON's form, exact.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self = try container.decodeMoney(amount: .amount, currency: .currency)
    }

    /// Writes `{"amount": "12.30", "currency": "USD"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeMoney(self, amount: .amount, currency: .currency)
    }
}
