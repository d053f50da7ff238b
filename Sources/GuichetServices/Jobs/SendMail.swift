import GuichetQueue

/// Sending one stored notification by SMTP; retried with backoff, with the same Message-ID.
public struct SendMail: JobParameters, Equatable {
    public static let queue = "mail"
    public static let kind = "mail.send"

    public var notificationId: Int64

    public init(notificationId: Int64) {
        self.notificationId = notificationId
    }

    var job: NewJob { NewJob(self, maxAttempts: 12, uniqueKey: "mail:\(notificationId)") }
}
