/* SPDX-License-Identifier: MIT */
/*
 * spool.h - the per-user queue between "accepted" and "delivered".  Paths,
 * ids, claiming and atomic commit live here; SMTP and headers do not.
 *
 * An entry is ID.m (the message, CRLF, immutable once committed; its flock
 * is the entry's lock) plus ID.e (the envelope, replaced only by rename).
 * ID.e existing is what makes an entry exist.  Ids sort by arrival time:
 * 20 characters of [0-9A-Z] (seconds, microseconds, pid, random, base 36).
 * doc/SPOOL.md has the format and the durability argument.
 *
 * The schedule index (due.h, SPEC 13) is kept here too: every function
 * below that creates, rewrites or removes an envelope moves the entry's
 * marker with it, so callers never see it.  A flusher asks spool_due()
 * for what is due and never lists the whole spool.
 *
 * Who removes crash leftovers: a flusher that claims a marker of an
 * entry whose writer died (spool_claim_due()), and spool_cleanup(), run
 * with every rebuild of the index and by sendmail -q; never mailq, which
 * must stay read-only and fast.
 */
#ifndef MH_SPOOL_H
#define MH_SPOOL_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"
#include "due.h"
#include "envelope.h"
#include "err.h"

struct spool {
	int		 dirfd;		/* O_DIRECTORY, checked private */
	char		*path;
	int		 statefd;	/* state/ once spool_state_open()ed, or -1 */
	struct due	 due;		/* the schedule index, opened on first use */
	time_t		 failed_keep;	/* [queue] failed_keep (index times); the
					   flusher sets it when it opened by path */
};

/* The flush lock's file in the spool (spool_flush_lock()). */
#define SPOOL_FLUSH_LOCK	"flush.lock"

/* Where an entry's marker is not: a held entry has none (due.h). */
#define SPOOL_DUE_NONE	((time_t)-1)

struct spool_entry {
	char		 id[ENVELOPE_ID_MAX];
	int		 msgfd;		/* ID.m, flock'ed while we hold the entry */
	struct envelope	 env;		/* as loaded or to be committed */
	time_t		 due;		/* its marker's time, or SPOOL_DUE_NONE */
};

/*
 * Locate (SPEC §5), create 0700 if missing, open and check the spool.
 * EX_CANTCREAT if it cannot be created or is unsafe.  When it is a
 * directory of the system spool root (paths.h) that we may not create
 * (the root is 1731 root:mailhop), err's reason is MH_REASON_SPOOL_ROOT
 * and sp->path names it: the front end then asks the set-id helper to
 * make it (launch_spool_open()) and tries again.  Free with spool_close().
 */
int	spool_open(struct spool *, const struct config *, struct mh_err *);
/* Open and check the spool at path (it must exist): root's view, --spool. */
int	spool_open_dir(struct spool *, const char *path, struct mh_err *);
/*
 * Where the spool is for cfg, without creating anything: [queue] dir with
 * %u/%U expanded, else $XDG_STATE_HOME/mailhop, else the home's; NULL
 * with err when there is no home (the system root is then the fallback).
 */
char	*spool_path(const struct config *, struct mh_err *);
/*
 * For `mailhop config`: spool_path(), or the system root's directory when
 * there is no home, or why there is none; *why says how it was found
 * ("[queue] dir", "$XDG_STATE_HOME/mailhop", ...).  Allocated.
 */
char	*spool_describe(const struct config *, const char **why);
/*
 * A user's directory name in the system spool root: the account name, or
 * the uid in decimal (byuid, or no passwd entry).  NULL when the name
 * cannot be a path component.  Caller frees.
 */
char	*spool_user_leaf(uid_t, int byuid);
/* The LEAF of path when path is ROOT/LEAF (the system spool root), else NULL. */
const char *spool_root_leaf(const char *path);
/* Appends to err what root must do about a link or another user's
 * directory at path in the system spool root (nothing elsewhere). */
void	 spool_blocked_hint(const char *path, struct mh_err *err);
void	spool_close(struct spool *);
/*
 * The spool's state directory, SPOOL/state (COORDINATION design F): what
 * is not a queue entry -- OAuth2 access-token caches (oauth.c) and, later,
 * down-marks and rate windows.  Made 0700 on first use and checked like the
 * spool (real directory, ours, private); the entry scanner and
 * spool_cleanup() never look inside.  Files there are named by the module
 * that owns them (oauth-NAME.token), written with fsio's atomic writes and
 * locked with flock on files that are never replaced by rename
 * (oauth-NAME.lock).  Returns the directory's fd, owned by the spool
 * (closed by spool_close()); -1 with EX_CANTCREAT naming the path.
 */
int	spool_state_open(struct spool *, struct mh_err *);
#define SPOOL_STATE_DIR	"state"		/* its name in the spool */

/*
 * Start a new entry: pick a fresh id and create ID.m (O_EXCL, locked).
 * Write the message to e->msgfd, fill e->env (sender, recipients), then
 * spool_commit().  Until then the entry is invisible to everyone.
 */
int	spool_create(struct spool *, struct spool_entry *, struct mh_err *);
/*
 * fsync ID.m, write ID.e atomically, fsync the directory.  On success the
 * mail is safe.  On failure nothing is visible and the files are removed.
 * Sets e->env.id, arrival and size.  The entry stays locked until
 * spool_release().
 */
int	spool_commit(struct spool *, struct spool_entry *, struct mh_err *);
/*
 * Replace an uncommitted entry's message with a rewritten copy: a fresh
 * id and ID.m are made as by spool_create(), fn(oldfd, newfd, err) writes
 * the copy (message_recode()), then the old ID.m goes.  The envelope
 * moves with the entry.  On failure e is as it was and the copy is gone.
 */
int	spool_rewrite(struct spool *, struct spool_entry *,
	    int (*fn)(int, int, struct mh_err *), struct mh_err *);
/* Throw away an uncommitted entry. */
void	spool_abort(struct spool *, struct spool_entry *);

/* Committed ids, sorted (oldest first). Caller frees with spool_ids_free. */
int	spool_list(struct spool *, char ***ids, size_t *n, struct mh_err *);
void	spool_ids_free(char **, size_t);
/*
 * Read an envelope without locking (for mailq). 1 if the entry is gone;
 * -1 with EX_DATAERR ("queue entry ID: damaged envelope: line 3: ...") or
 * EX_NOUSER for a malformed id.  Envelopes are replaced by rename, so an
 * unlocked read sees one whole version.
 */
int	spool_peek(struct spool *, const char *id, struct envelope *, struct mh_err *);
/*
 * Take the entry's lock (wait: block; else give up if busy), then re-read
 * the envelope.  Returns 0 when held, 1 when busy or gone, -1 on error
 * (EX_NOUSER for an id that does not exist or is malformed, with the
 * message `queue id "X" not found'; EX_DATAERR for a damaged envelope).
 * A flusher walking spool_list() should treat EX_NOUSER like 1: another
 * flusher finished the entry between the listing and the claim.
 */
int	spool_claim(struct spool *, const char *id, int wait, struct spool_entry *,
	    struct mh_err *);
/* Replace ID.e with e->env atomically (write, fsync, rename, fsync dir). */
int	spool_update(struct spool *, struct spool_entry *, struct mh_err *);
/* Remove the entry (envelope first, then message). Releases it. */
int	spool_remove(struct spool *, struct spool_entry *, struct mh_err *);
/*
 * The schedule index.  spool_due(): every marker whose time is <= now
 * (sorted by id; an id may come twice), read from the index without
 * opening an envelope.  An index that cannot be trusted (none yet, a
 * stamp of another boot, damage) is rebuilt first from every envelope:
 * once after an upgrade or a power cut.  spool_next_due(): the earliest
 * marker time (1: none), for a flusher that sleeps until then.
 * spool_next_queued(): the same for queued entries only, not for the
 * removal of a failed one (1: none); it reads the envelopes of markers
 * in time order up to the first queued one (failed entries are few, and
 * their markers come failed_keep after their failure).
 */
int	spool_due(struct spool *, time_t now, struct due_item **, size_t *,
	    struct mh_err *);
int	spool_next_due(struct spool *, time_t *, struct mh_err *);
int	spool_next_queued(struct spool *, time_t *, struct mh_err *);
/*
 * Claim the entry a marker names, without waiting, as spool_claim().
 * 1 when busy or gone; a marker that outlived its entry (or whose writer
 * died: the leftovers go too) is removed, and one that is not the
 * entry's current marker is moved (the caller checks the envelope: an
 * early marker gives an entry that is not due yet).
 */
int	spool_claim_due(struct spool *, const struct due_item *,
	    struct spool_entry *, struct mh_err *);
/* Rebuild the index from every envelope, and remove crash leftovers. */
int	spool_reindex(struct spool *, struct mh_err *);

/*
 * The spool-wide flush lock of background flushers (flush.lock, never
 * replaced).  spool_flush_lock(): 0 held (*fd opened if it was -1), 1
 * another process holds it, -1 error.  spool_flush_busy(): whether
 * another process holds it now, for sendmail after its commit (a
 * holder looks at the index once more after it lets the lock go).
 */
int	spool_flush_lock(struct spool *, int *fd, struct mh_err *);
void	spool_flush_unlock(int fd);
int	spool_flush_busy(struct spool *);

/* Unlock and close; frees e->env. */
void	spool_release(struct spool_entry *);
/* Remove crash leftovers: temp files and messages without an envelope. */
void	spool_cleanup(struct spool *);
/* Check an id from the user (no path from untrusted input). */
int	spool_id_valid(const char *);

/*
 * Group commit of removals, for deliver.c's flush loop.  spool_remove()
 * pays one directory fsync per entry; a flusher removing many entries
 * splits it in two halves and pays one fsync for a whole group.
 * doc/PERFORMANCE.md has the argument.
 */
struct spool_gone {
	char	 id[ENVELOPE_ID_MAX];
	int	 msgfd;		/* ID.m, still open and locked */
	int	 envfd;		/* the unlinked ID.e kept open, or -1 */
	time_t	 due;		/* its marker, removed with ID.m */
};
/*
 * First half: unlink ID.e.  The entry is gone for every process at once
 * (a flusher killed from here on loses nothing and sends nothing twice),
 * but until spool_remove_finish() a power cut may bring ID.e back.  ID.e
 * is opened first and kept open in g->envfd so that the unlink only drops
 * a name: freeing the file's blocks waits for the last close, which the
 * caller may do off the critical path.  e's lock and ID.m move to *g;
 * e is released (its envelope freed) on success and on failure.
 */
int	spool_remove_start(struct spool *, struct spool_entry *,
	    struct spool_gone *, struct mh_err *);
/*
 * Second half, for n started removals: one fsync of the directory (the
 * ID.e removals are durable from here on), then unlink each ID.m.  The
 * descriptors stay open for the caller to close (the close of the last
 * reference frees the blocks; it has no part in durability).  If the
 * fsync fails, no ID.m is unlinked (they are leftovers for
 * spool_cleanup(), so an ID.e that a power cut brings back still has its
 * message) and -1 is returned.
 */
int	spool_remove_finish(struct spool *, struct spool_gone *, size_t n,
	    struct mh_err *);
#endif
