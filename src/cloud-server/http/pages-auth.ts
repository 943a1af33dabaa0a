/** Sign-up, login, logout, forgot password and reset password pages. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { formField } from '../../core/form.js';
import { passwordDigest } from '../../streamer-api/index.js';
import { MIN_PASSWORD_LENGTH } from '../services/accounts.js';
import {
  forgotPage,
  forgotSentPage,
  loginPage,
  messagePage,
  resetPage,
  signupPage,
} from '../views/auth.js';
import type { PageTools } from './pages.js';

/** A text field of the request's form body (core/form.ts). */
export function field(request: FastifyRequest, name: string, max = 1024): string {
  return formField(request.body, name, max);
}

function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

/** Known, user-facing failures re-render the form; anything else goes to the error page. */
function formError(err: unknown): { status: number; message: string } {
  if (!(err instanceof PrintosError)) throw err;
  if (
    ['INVALID_ARGUMENT', 'LOGIN_FAILED', 'RATE_LIMITED', 'CONFLICT', 'FORBIDDEN'].includes(err.code)
  ) {
    return { status: err.status, message: err.message };
  }
  throw err;
}

export function registerAuthPages(app: FastifyInstance, tools: PageTools): void {
  const { ctx, sessions, csrf } = tools;

  app.get('/login', async (request, reply) => {
    if (sessions.current(request)) return reply.redirect('/', 303);
    return sendHtml(reply, 200, loginPage({ csrf: csrf(request, reply) }));
  });

  app.post('/login', async (request, reply) => {
    const email = field(request, 'email', 254);
    try {
      const digest = passwordDigest(field(request, 'password'));
      const account = await ctx.accounts.authenticate(email, digest, request.ip);
      sessions.begin(request, reply, account.id);
      return reply.redirect('/', 303);
    } catch (err) {
      const { status, message } = formError(err);
      return sendHtml(
        reply,
        status,
        loginPage({ csrf: csrf(request, reply), error: message, email }),
      );
    }
  });

  app.post('/logout', async (request, reply) => {
    sessions.end(request, reply);
    return reply.redirect('/login', 303);
  });

  app.get('/signup', async (request, reply) =>
    sendHtml(
      reply,
      200,
      signupPage({ csrf: csrf(request, reply), minLength: MIN_PASSWORD_LENGTH }),
    ),
  );

  app.post('/signup', async (request, reply) => {
    const email = field(request, 'email', 254);
    try {
      const password = field(request, 'password');
      if (password !== field(request, 'password2')) {
        throw new PrintosError('INVALID_ARGUMENT', 'The two passwords differ.');
      }
      const accountId = await ctx.accounts.signUp(email, password, request.ip);
      sessions.begin(request, reply, accountId);
      return reply.redirect('/?notice=welcome', 303);
    } catch (err) {
      const { status, message } = formError(err);
      const page = signupPage({
        csrf: csrf(request, reply),
        error: message,
        email,
        minLength: MIN_PASSWORD_LENGTH,
      });
      return sendHtml(reply, status, page);
    }
  });

  app.get('/forgot-password', async (request, reply) =>
    sendHtml(reply, 200, forgotPage({ csrf: csrf(request, reply) })),
  );

  app.post('/forgot-password', async (request, reply) => {
    const email = field(request, 'email', 254);
    try {
      await ctx.accounts.requestReset(email, request.ip);
      return sendHtml(reply, 200, forgotSentPage(email.trim()));
    } catch (err) {
      const { status, message } = formError(err);
      return sendHtml(
        reply,
        status,
        forgotPage({ csrf: csrf(request, reply), error: message, email }),
      );
    }
  });

  app.get<{ Querystring: { token?: string } }>('/reset-password', async (request, reply) => {
    const token = typeof request.query.token === 'string' ? request.query.token : '';
    if (!token || token.length > 100 || !ctx.accounts.resetIsValid(token)) {
      return sendHtml(reply, 403, invalidLink());
    }
    const page = resetPage({ csrf: csrf(request, reply), token, minLength: MIN_PASSWORD_LENGTH });
    return sendHtml(reply, 200, page);
  });

  app.post('/reset-password', async (request, reply) => {
    const token = field(request, 'token', 100);
    try {
      const password = field(request, 'password');
      if (password !== field(request, 'password2')) {
        throw new PrintosError('INVALID_ARGUMENT', 'The two passwords differ.');
      }
      await ctx.accounts.resetPassword(token, password);
      sessions.end(request, reply);
      return sendHtml(
        reply,
        200,
        messagePage(
          'Password changed',
          'Log in with your new password. Every other session of this account was closed.',
          '/login',
        ),
      );
    } catch (err) {
      const { status, message } = formError(err);
      if (status === 403) return sendHtml(reply, 403, invalidLink());
      const page = resetPage({
        csrf: csrf(request, reply),
        token,
        error: message,
        minLength: MIN_PASSWORD_LENGTH,
      });
      return sendHtml(reply, status, page);
    }
  });
}

function invalidLink(): string {
  return messagePage(
    'Link not valid',
    'This reset link is invalid, expired or already used. Ask for a new one.',
    '/forgot-password',
  );
}
