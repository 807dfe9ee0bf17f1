#include "privs.h"

#include "base/bytes.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

bool privs_drop(const char *user, GError **err)
{
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		uint64_t uid;
		if (sv_to_u64(sv_from_cstr(user), UINT32_MAX, &uid))
			pw = getpwuid((uid_t)uid);
	}
	if (!pw) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "-Z %s: no such user", user);
		return false;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	/* Order matters: groups while still root, then the group, then the
	 * user (after setuid, setgid would be refused). */
	if (initgroups(pw->pw_name, gid) != 0 && setgroups(1, &gid) != 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "-Z %s: cannot set the supplementary groups: %s (only root can change users)",
			    user, g_strerror(errno));
		return false;
	}
	if (setgid(gid) != 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "-Z %s: cannot switch to group %u: %s",
			    user, (unsigned)gid, g_strerror(errno));
		return false;
	}
	if (setuid(uid) != 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "-Z %s: cannot switch to user %u: %s",
			    user, (unsigned)uid, g_strerror(errno));
		return false;
	}
	/* Check: the switch holds and root cannot be taken back. */
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid ||
	    (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "-Z %s: privileges could not be given up for good", user);
		return false;
	}
	return true;
}
