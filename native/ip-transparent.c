// setsockopt(IP_TRANSPARENT) for kanzen's proxy, which Node has no API for.
//
// The proxy connects to an endpoint from the client's own address so that the endpoint
// sees the real client IP (as it does behind kube-proxy's DNAT). Linux lets a socket send
// from an address that is not local only when it is transparent (IP_TRANSPARENT, needs
// CAP_NET_ADMIN); the node's nftables rule then hands the endpoint's answers back to it.
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <node_api.h>

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

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "setTransparent", NAPI_AUTO_LENGTH, set_transparent, NULL, &fn);
  napi_set_named_property(env, exports, "setTransparent", fn);
  return exports;
}
