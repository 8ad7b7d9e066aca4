/*
 * method.h — what a register row says a person is (enum role) and how
 * they prove who they are (enum method, R5.3): the names the register
 * stores and the biometrics, the gate and the tools use, in a header of
 * their own so that bio.h need not reach up to the register for them.
 */
#ifndef METHOD_H
#define METHOD_H

enum role { ROLE_OPERATOR, ROLE_MANAGER };
enum method { METHOD_FINGERPRINT, METHOD_PASSWORD, METHOD_EXTERNAL };

#endif
