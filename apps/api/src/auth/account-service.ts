// Account flows, independent of HTTP: signup, credentials, password change and reset,
// email verification, API-client tokens. Routes translate these into requests and responses.
import type { OneTimeTokens, RefreshTokens, SessionIndex } from '@rnh/sessions';
import type { Logger } from '@rnh/telemetry';
import type { Counter } from 'prom-client';
import { HttpError } from '../http/errors.js';
import type { MailQuota } from '../limits/mail-quota.js';
import type { EmailJobs, NetworkJobs } from '@rnh/jobs';
import type { QueueProducer } from '@rnh/queue';
import type { PasswordPolicy } from '../users/password-policy.js';
import { samePassword, type PasswordHasher } from '../users/passwords.js';
import type { UserProfiles } from '../users/user-profiles.js';
import type { User, UsersRepository } from '../users/users-repository.js';
import type { AccessTokens } from './access-tokens.js';

export interface AccountServiceDeps {
  users: UsersRepository;
  passwords: PasswordHasher;
  /** What a new password may not be (common, the user's own email or name). */
  passwordPolicy: PasswordPolicy;
  /** Limits the mail a user or an address gets (resent verifications, reset links). */
  mailQuota: Pick<MailQuota, 'take'>;
  /** Told about every write to a user's row, so cached profiles are invalidated. */
  profiles: Pick<UserProfiles, 'changed'>;
  sessionIndex: SessionIndex;
  oneTimeTokens: OneTimeTokens;
  refreshTokens: RefreshTokens;
  accessTokens: AccessTokens;
  /** Mail goes through the email queue; the worker sends it. */
  email: Pick<QueueProducer<EmailJobs>, 'enqueue'>;
  /** Reset requests are handled after the answer, as jobs of the network queue (sendPasswordReset). */
  network: Pick<QueueProducer<NetworkJobs>, 'enqueue'>;
  /** Base URL for links in emails, e.g. `https://app.example.com`. */
  publicUrl: string;
  logins: Counter<'outcome'>;
  logger: Logger;
}

export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  async signup(input: { email: string; password: string; displayName: string }): Promise<User> {
    this.assertAcceptable(input.password, input);
    const user = await this.deps.users.create({
      email: input.email,
      displayName: input.displayName,
      passwordHash: await this.deps.passwords.hash(input.password),
    });
    await this.sendEmailVerification(user);
    return user;
  }

  /** The user for these credentials; one answer for unknown email and wrong password. */
  async authenticate(email: string, password: string): Promise<User> {
    const credentials = await this.deps.users.findCredentialsByEmail(email);
    // Unknown emails cost one hash too: the timing does not tell whether an account exists.
    const valid = await this.deps.passwords.verify(password, credentials?.passwordHash);
    if (!credentials || !valid) {
      this.deps.logins.inc({ outcome: 'invalid_credentials' });
      throw new HttpError(401, 'invalid_credentials', 'Email or password is wrong.');
    }
    this.deps.logins.inc({ outcome: 'success' });
    // Stored with older hashing parameters: upgrade while we hold the plain password.
    if (this.deps.passwords.needsRehash(credentials.passwordHash))
      await this.deps.users.updatePassword(credentials.id, await this.deps.passwords.hash(password));
    const user = await this.deps.users.findById(credentials.id);
    if (!user) throw new HttpError(401, 'invalid_credentials', 'Email or password is wrong.');
    return user;
  }

  async requireUser(userId: string): Promise<User> {
    const user = await this.deps.users.findById(userId);
    if (!user) throw new HttpError(401, 'unauthenticated', 'Sign in first.');
    return user;
  }

  /** Changes the password and signs out every other session and API client of the user. */
  async changePassword(
    userId: string,
    currentPassword: string,
    newPassword: string,
    keepSessionId: string | undefined,
  ): Promise<void> {
    const user = await this.requireUser(userId);
    const credentials = await this.deps.users.findCredentialsByEmail(user.email);
    if (!credentials || !(await this.deps.passwords.verify(currentPassword, credentials.passwordHash))) {
      throw new HttpError(400, 'wrong_password', 'The current password is wrong.');
    }
    if (samePassword(newPassword, currentPassword)) throw passwordReused();
    this.assertAcceptable(newPassword, user);
    await this.deps.users.updatePassword(userId, await this.deps.passwords.hash(newPassword));
    if (keepSessionId) await this.deps.sessionIndex.revokeOthers(userId, keepSessionId);
    else await this.deps.sessionIndex.revokeAll(userId);
    await this.deps.refreshTokens.revokeAllForUser(userId);
  }

  /** Mails a verification link; `resend` (the user asked again) counts against the mail quotas. */
  async sendEmailVerification(user: User, { resend = false } = {}): Promise<void> {
    if (user.emailVerifiedAt) return;
    if (resend) await this.deps.mailQuota.take({ userId: user.id, address: user.email });
    const { token } = await this.deps.oneTimeTokens.issue('email_verification', user.id);
    const link = `${this.deps.publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
    await this.deps.email.enqueue('email_verification', {
      to: user.email,
      displayName: user.displayName,
      link,
      userId: user.id,
    });
  }

  /**
   * Refuses a mailed verification or reset link that can no longer be used, as confirmEmail and
   * resetPassword would, without spending it: a page shows it before asking anything.
   */
  async checkLink(kind: 'email_verification' | 'password_reset', token: string): Promise<void> {
    await this.deps.oneTimeTokens.peek(kind, token);
  }

  async confirmEmail(token: string): Promise<User> {
    const { subject: userId } = await this.deps.oneTimeTokens.consume('email_verification', token);
    await this.deps.users.markEmailVerified(userId);
    await this.deps.profiles.changed(userId);
    return this.requireUser(userId);
  }

  /**
   * Takes a reset request; says nothing either way (no user enumeration). Neither the answer nor
   * its timing may depend on whether the account exists, so the request does the same work for
   * any address: the mail quota, then one job on the network queue. The work that differs (the
   * account lookup, the token, the mail) runs in that job, after the answer: sendPasswordReset.
   * A failure (Redis down) is the same 503 for every address, too.
   */
  async requestPasswordReset(email: string): Promise<void> {
    await this.deps.mailQuota.take({ address: email });
    await this.deps.network.enqueue('password_reset_request', { email });
  }

  /** The job behind requestPasswordReset: mails a reset link when the account exists. */
  async sendPasswordReset(email: string): Promise<void> {
    const user = await this.deps.users.findByEmail(email);
    if (!user) {
      this.deps.logger.info('password reset requested for an unknown email');
      return;
    }
    // password_reset is a newest-only kind: this token revokes the earlier ones, atomically.
    const { token } = await this.deps.oneTimeTokens.issue('password_reset', user.id);
    const link = `${this.deps.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
    await this.deps.email.enqueue('password_reset', {
      to: user.email,
      displayName: user.displayName,
      link,
      userId: user.id,
    });
  }

  /** Sets the new password and signs the user out everywhere: whoever had the old one is locked out. */
  async resetPassword(token: string, newPassword: string): Promise<void> {
    // Judge the new password before spending the link, so a refused one can be retried with it.
    await this.assertAcceptableReset(token, newPassword);
    const { subject: userId } = await this.deps.oneTimeTokens.consume('password_reset', token);
    await this.deps.users.updatePassword(userId, await this.deps.passwords.hash(newPassword));
    // Receiving the link proves the address, too.
    await this.deps.users.markEmailVerified(userId);
    await this.deps.profiles.changed(userId);
    await this.deps.sessionIndex.revokeAll(userId);
    await this.deps.refreshTokens.revokeAllForUser(userId);
  }

  private async assertAcceptableReset(token: string, newPassword: string): Promise<void> {
    const { subject: userId } = await this.deps.oneTimeTokens.peek('password_reset', token);
    const user = await this.deps.users.findById(userId);
    const credentials = user && (await this.deps.users.findCredentialsByEmail(user.email));
    if (!user || !credentials) return;
    if (await this.deps.passwords.verify(newPassword, credentials.passwordHash)) throw passwordReused();
    this.assertAcceptable(newPassword, user);
  }

  /** 400 weak_password, saying why, when the policy refuses this new password for this user. */
  private assertAcceptable(password: string, owner: { email: string; displayName: string }): void {
    const problem = this.deps.passwordPolicy.problemWith(password, owner);
    if (problem) throw new HttpError(400, 'weak_password', problem);
  }

  async issueClientTokens(userId: string): Promise<ClientTokens> {
    const refresh = await this.deps.refreshTokens.issue(userId);
    return this.clientTokens(userId, refresh);
  }

  async refreshClientTokens(refreshToken: string): Promise<ClientTokens> {
    const rotated = await this.deps.refreshTokens.rotate(refreshToken);
    return this.clientTokens(rotated.userId, rotated);
  }

  /** An API client signs out: its refresh family and the access tokens issued with it stop working. */
  async revokeClientTokens(refreshToken: string): Promise<void> {
    await this.deps.refreshTokens.revoke(refreshToken);
  }

  /** Signs out every API client of the user but `keepFamilyId` (the caller's own, if it is one). */
  async signOutOtherClients(userId: string, keepFamilyId: string | undefined): Promise<void> {
    await this.deps.refreshTokens.revokeAllForUser(userId, { keepFamilyId });
  }

  private async clientTokens(
    userId: string,
    refresh: { token: string; familyId: string; expiresAt: Date },
  ): Promise<ClientTokens> {
    const access = await this.deps.accessTokens.issue(userId, refresh.familyId);
    return {
      tokenType: 'Bearer',
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken: refresh.token,
      refreshExpiresAt: refresh.expiresAt.toISOString(),
    };
  }
}

function passwordReused(): HttpError {
  return new HttpError(400, 'password_reused', 'The new password must differ from the current one.');
}

export interface ClientTokens {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
}
