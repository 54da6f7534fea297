build-dev/obj/mail/smtp.o: src/mail/smtp.c src/mail/smtp.h src/core/err.h
src/mail/smtp.h:
src/core/err.h:
