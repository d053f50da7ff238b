import GuichetServices
import Hummingbird

extension Response {
    /// Sets the browser's session cookie for a new session (HttpOnly, SameSite=Lax, Secure over TLS,
    /// until the session's absolute expiry), or clears it with `nil`: one definition for the API's
    /// sign-in, the schools' SSO and the sign-in page.
    mutating func setSessionCookie(_ signedIn: SessionService.SignedIn?, secure: Bool) throws {
        let maxAge = signedIn.map { Int($0.expiresAt.timeIntervalSinceNow) } ?? 0
        setCookie(
            try Cookie.validated(
                name: AuthMiddleware.sessionCookie, value: signedIn?.token ?? "", maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax
            )
        )
    }
}
