// The system calls kanzen's proxy needs and Node has no API for: setsockopt(IP_TRANSPARENT)
// (below), setrlimit(RLIMIT_NOFILE) and glibc's malloc_trim (further down).
//
// The proxy connects to an endpoint from the client's own address so that the endpoint
// sees the real client IP (as it does behind kube-proxy's DNAT). Linux lets a socket send
// from an address that is not local only when it is transparent (IP_TRANSPARENT, needs
// CAP_NET_ADMIN); the node's nftables rule then hands the endpoint's answers back to it.
#include <errno.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <node_api.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif

// setTransparent(fd) → 0, or the errno (positive) of a failed setsockopt.
static napi_value set_transparent(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "setTransparent(fd): fd must be a number");
    return NULL;
  }
  int on = 1;
  int rc = setsockopt(fd, SOL_IP, IP_TRANSPARENT, &on, sizeof on) == 0 ? 0 : errno;
  napi_create_int32(env, rc, &result);
  return result;
}

// The proxy holds two descriptors per connection. Like the old userspace kube-proxy
// (setRLimit(64 * 1000) in pkg/proxy/userspace), it asks for a higher RLIMIT_NOFILE.
// getNoFileLimit() → [soft, hard] (-1 for unlimited), or the errno (positive) on failure.
static napi_value get_nofile_limit(napi_env env, napi_callback_info info) {
  struct rlimit lim;
  napi_value result, v;
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    napi_create_int32(env, errno, &result);
    return result;
  }
  napi_create_array_with_length(env, 2, &result);
  napi_create_double(env, lim.rlim_cur == RLIM_INFINITY ? -1 : (double)lim.rlim_cur, &v);
  napi_set_element(env, result, 0, v);
  napi_create_double(env, lim.rlim_max == RLIM_INFINITY ? -1 : (double)lim.rlim_max, &v);
  napi_set_element(env, result, 1, v);
  return result;
}

// setNoFileLimit(soft, hard) → 0, or the errno (positive) of a failed setrlimit; -1 is unlimited.
static napi_value set_nofile_limit(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double soft = 0, hard = 0;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_double(env, argv[0], &soft) != napi_ok || napi_get_value_double(env, argv[1], &hard) != napi_ok) {
    napi_throw_type_error(env, NULL, "setNoFileLimit(soft, hard): numbers");
    return NULL;
  }
  struct rlimit lim = {soft < 0 ? RLIM_INFINITY : (rlim_t)soft, hard < 0 ? RLIM_INFINITY : (rlim_t)hard};
  napi_create_int32(env, setrlimit(RLIMIT_NOFILE, &lim) == 0 ? 0 : errno, &result);
  return result;
}

// trimMemory() → true when malloc_trim gave memory back. After a connection storm the
// freed per-connection buffers sit in malloc's arenas, counted in the RSS, until trimmed.
static napi_value trim_memory(napi_env env, napi_callback_info info) {
  napi_value result;
#ifdef __GLIBC__
  napi_get_boolean(env, malloc_trim(0) == 1, &result);
#else
  napi_get_boolean(env, false, &result);
#endif
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "setTransparent", NAPI_AUTO_LENGTH, set_transparent, NULL, &fn);
  napi_set_named_property(env, exports, "setTransparent", fn);
  napi_create_function(env, "getNoFileLimit", NAPI_AUTO_LENGTH, get_nofile_limit, NULL, &fn);
  napi_set_named_property(env, exports, "getNoFileLimit", fn);
  napi_create_function(env, "setNoFileLimit", NAPI_AUTO_LENGTH, set_nofile_limit, NULL, &fn);
  napi_set_named_property(env, exports, "setNoFileLimit", fn);
  napi_create_function(env, "trimMemory", NAPI_AUTO_LENGTH, trim_memory, NULL, &fn);
  napi_set_named_property(env, exports, "trimMemory", fn);
  return exports;
}
