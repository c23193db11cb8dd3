"""The lesson edit form's course plan panel: every lesson of the course in course order with the
week it opens, which lessons share a day, and which languages each is translated into."""

from wagtail.admin.panels import Panel

from . import course_plan


class CoursePlanPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "lessons/admin/course_plan_panel.html"

        def course(self):
            if self.instance.pk is not None and self.instance.path:
                return self.instance.get_parent().specific
            return getattr(self.form, "parent_page", None)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            course = self.course()
            plan = course_plan.course_plan(course, editing=self.instance) if course is not None else []
            context.update(
                plan=plan,
                this=course_plan.planned(course, self.instance, plan) if plan else None,
                languages=course_plan.other_languages(),
            )
            return context
