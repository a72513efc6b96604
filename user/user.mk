# User programs (root tasks and, later, servers), each its own ELF under
# $(BUILD)/user, linked against libkeel by the user_program macro (mk/rules.mk).

$(eval $(call user_program,demo,user/demo/main.c))
$(demo_OBJS): | $(GEN_HEADERS)
