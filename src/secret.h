/* SPDX-License-Identifier: MIT */
/*
 * secret.h - where credentials come from: password, password_file (first
 * line), password_command (first line of its output), oauth_token(_command).
 * The result is heap memory the caller wipes with xfree_secret().  Nothing
 * here logs or prints a secret; errors name the source, never the value.
 */
#ifndef MH_SECRET_H
#define MH_SECRET_H

#include "conf.h"
#include "err.h"

/*
 * The upstream's password: *out = NULL when none is configured.
 * EX_CONFIG/EX_TEMPFAIL on error.  A command runs for at most the
 * upstream's timeout.
 */
int	secret_password(const struct upstream *, char **out, struct mh_err *);
/* The upstream's OAuth token: *out = NULL when none is configured. */
int	secret_oauth_token(const struct upstream *, char **out, struct mh_err *);

/*
 * The set-id helper (SPEC 8), before it drops its group: read up's secret
 * now, with the group's privilege, and keep it; from then on
 * secret_password() and secret_oauth_token() answer for an upstream of
 * that name from what was kept (an error included) and never read its
 * sources again.
 */
void	secret_hold(const struct upstream *);
/*
 * After the drop, when another layer changed a key of that upstream: the
 * kept secret is wiped and every use of the upstream fails with why
 * (EX_CONFIG), so nothing connects to it (relay_new() asks
 * secret_upstream_allowed()).
 */
void	secret_refuse(const char *name, const char *why);
/* 0 when up may be used; -1 with the refusal of secret_refuse(). */
int	secret_upstream_allowed(const struct upstream *, struct mh_err *);
/*
 * client_key's bytes for up (*out NULL when it has none): what
 * secret_hold() kept, else read now with secret_file_read().
 */
int	secret_client_key(const struct upstream *, char **out, size_t *len,
	    struct mh_err *);
/*
 * oauth.c's secret files of up, key "oauth_refresh_token_file" or
 * "oauth_client_secret_file": what the set-id helper held, else read now
 * (the checks of secret_file_line()).  *out = NULL without an error when
 * the key is unset, or the refresh-token file does not exist yet.
 */
int	secret_oauth_file(const struct upstream *, const char *key,
	    char **out, struct mh_err *);
/*
 * 1 when up's secrets were read by the set-id helper (an upstream of the
 * system file): what is derived from them must not land anywhere the
 * caller can read (oauth.c then caches no access token in the spool).
 */
int	secret_is_held(const struct upstream *);
/* Wipe and forget everything held. */
void	secret_held_clear(void);

/*
 * The one check every secret file gets (password_file, client_key,
 * oauth.c's refresh token and client secret, a secret named by a _FILE
 * variable), on the open descriptor (SPEC 8): a regular file, owned by
 * root or the caller, writable by its owner only, readable by no one but
 * its owner and the mailhop group.  EX_CONFIG naming key and path and the
 * command that fixes it; MH_REASON_SECRET_MODE when that is the mode or
 * the group.  (secret_file.c: in the core library, for conf_env.c too.)
 */
int	secret_check_fd(const char *key, const char *path, int fd,
	    struct mh_err *);
/*
 * After a MH_REASON_SECRET_MODE refusal of a file that the environment
 * named (MAILHOP_..._FILE): add how a Kubernetes secret volume gets a mode
 * that passes (its default, 0644, does not).  Other errors: unchanged.
 */
void	secret_mode_hint(struct mh_err *);
/*
 * The first line of a secret file (key names the setting in messages),
 * with the checks of secret_check_fd().  EX_CONFIG on error.
 */
int	secret_file_line(const char *key, const char *path, char **out,
	    struct mh_err *);
/*
 * The whole of a secret file (client_key: a private key in PEM), with the
 * same checks: *out holds *len bytes (NUL-terminated), for the caller to
 * wipe (explicit_bzero) and free.  EX_CONFIG on error.
 */
int	secret_file_read(const char *key, const char *path, char **out,
	    size_t *len, struct mh_err *);

#endif
