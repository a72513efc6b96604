# make test: build every test program, then let the runner execute tests/tests.list.
# TEST_DEPS is filled by the fragments that define test programs.

_test: $(TEST_DEPS) images
	$(PYTHON) tools/runtests.py --list tests/tests.list --build $(BUILD) --cpu $(CPU) \
	    $(if $(TEST),--only $(TEST))
