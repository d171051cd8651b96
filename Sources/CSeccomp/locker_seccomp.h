// Debian's libseccomp, plus its function-like macros as functions Swift can call.
#include <errno.h>
#include <seccomp.h>
static inline uint32_t locker_act_errno(uint16_t e) { return SCMP_ACT_ERRNO(e); }
static inline uint32_t locker_act_trace(uint16_t m) { return SCMP_ACT_TRACE(m); }
static inline uint32_t locker_act_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t locker_act_kill_thread(void) { return SCMP_ACT_KILL_THREAD; }
static inline uint32_t locker_act_kill_process(void) { return SCMP_ACT_KILL_PROCESS; }
static inline uint32_t locker_act_trap(void) { return SCMP_ACT_TRAP; }
static inline uint32_t locker_act_log(void) { return SCMP_ACT_LOG; }
static inline uint32_t locker_act_notify(void) { return SCMP_ACT_NOTIFY; }
static inline int locker_scmp_error(void) { return __NR_SCMP_ERROR; }
